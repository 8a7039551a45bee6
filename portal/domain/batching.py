"""Set-membership conditions for batch lookups, as one statement whatever the batch size.

``column IN (:a, :b, ...)`` is a new statement for every list length, and SQLAlchemy
expands it on every execution; at a few thousand RADIUS packets a second that costs more
than the query. Passing the values as one parameter keeps one cached statement: a JSON
array read with ``json_each`` on SQLite, an array with ``= ANY`` on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session


def one_of(
    session: Session, column: sa.ColumnElement, values: Iterable[str | int]
) -> sa.ColumnElement:
    """``column`` equals one of ``values`` (strings or integers), for the session's database."""
    items = sorted(set(values))
    if session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam(None, items, type_=postgresql.ARRAY(column.type)))
    array = sa.func.json_each(sa.bindparam(None, json.dumps(items), type_=sa.String))
    return column.in_(sa.select(sa.column("value", column.type)).select_from(array))
