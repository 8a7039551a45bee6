"""Set-membership conditions for batch lookups, as one cached statement whatever the size.

``column IN (:a, :b, ...)`` is a new statement for every list length, and SQLAlchemy
expands it on every execution; at a few thousand RADIUS packets a second that costs more
than the query. Passing the values as one parameter keeps one statement, built once per
dialect (see the ``lru_cache``d builders beside each query): a JSON array read with
``json_each`` on SQLite, an array with ``= ANY`` on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session


def dialect_of(session: Session) -> str:
    """The database's dialect name ("sqlite" or "postgresql")."""
    return session.get_bind().dialect.name


def one_of(dialect: str, column: sa.ColumnElement, name: str) -> sa.ColumnElement:
    """``column`` equals one of the values given as parameter ``name`` (see `values_for`)."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam(name, type_=postgresql.ARRAY(column.type)))
    array = sa.func.json_each(sa.bindparam(name, type_=sa.String))
    return column.in_(sa.select(sa.column("value", column.type)).select_from(array))


def values_for(dialect: str, values: Iterable[str | int]) -> object:
    """The parameter value for `one_of`: strings or integers, duplicates removed."""
    items = sorted(set(values))
    return items if dialect == "postgresql" else json.dumps(items)
