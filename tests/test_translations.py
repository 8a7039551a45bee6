"""Every Indonesian string of the residents' pages and the admin console has an English
translation in the one catalog, and the shipped .mo file matches its .po source."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "portal" / "translations" / "en" / "LC_MESSAGES"
METHODS = [
    ("portal/messages.py", "python"),
    ("portal/splash/**.py", "python"),
    ("portal/admin/**.py", "python"),
    ("portal/reports/**.py", "python"),
    ("templates/splash/**.html", "jinja2"),
    ("templates/admin/**.html", "jinja2"),
    ("templates/shared/**.html", "jinja2"),
    ("templates/errors/**.html", "jinja2"),
    ("templates/reports/**.html", "jinja2"),
    ("templates/router/**.html", "jinja2"),
]
JINJA = {"extensions": "jinja2.ext.i18n"}


def _msgids() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(
        str(ROOT),
        method_map=METHODS,
        options_map={
            "templates/splash/**.html": JINJA,
            "templates/admin/**.html": JINJA,
            "templates/shared/**.html": JINJA,
            "templates/errors/**.html": JINJA,
            "templates/reports/**.html": JINJA,
            "templates/router/**.html": JINJA,
        },
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None},
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _key(value: object) -> object:
    return value if isinstance(value, str) else tuple(value)  # type: ignore[arg-type]


def test_every_string_is_translated_and_the_mo_is_fresh() -> None:
    with (CATALOG / "messages.po").open("rb") as handle:
        po = read_po(handle)
    with (CATALOG / "messages.mo").open("rb") as handle:
        mo = read_mo(handle)
    wanted = _msgids()
    assert len(wanted) > 300
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in po if m.id and m.string}
    assert wanted - translated == set(), "run pybabel extract/update and translate"
    compiled = {(_key(m.id), _key(m.string)) for m in mo if m.id}
    source = {(_key(m.id), _key(m.string)) for m in po if m.id}
    assert compiled == source, "recompile: pybabel compile -d portal/translations"
