"""Kemendagri region codes (kode wilayah): validation and names from the bundled list.

Codes have the form ``PP.KK.CC.DDDD`` (province, regency, district, village). Some
sources write them as plain digits (``6401012009``); both forms are accepted and the
dotted one is stored. Names are labels only: they repeat across the country and change
spelling between editions, so nothing is ever looked up by name.
"""

from __future__ import annotations

import csv
import difflib
import gzip
import io
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from portal.domain.errors import DomainError

DATA_FILE = "wilayah-kepmendagri-2025.csv.gz"


# Provinces in WITA (Bali, Nusa Tenggara, South/East/North Kalimantan, Sulawesi) and
# WIT (Maluku, Papua); every other province keeps Western Indonesian Time.
_WITA_PROVINCES = {"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"}
_WIT_PROVINCES = {"81", "82", "91", "92", "93", "94", "95", "96"}

_DIGIT_LENGTHS = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}
_DOTTED = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class UnknownRegion(DomainError):
    """The code is well-formed or not, but it is not in the official list."""


@dataclass(frozen=True)
class Region:
    """One entry of the official list with the names of every level above it."""

    kode: str
    nama: str
    level: str  # provinsi | kabupaten | kecamatan | desa
    provinsi: str
    kabupaten: str | None
    kecamatan: str | None

    @property
    def province_kode(self) -> str:
        return self.kode[:2]

    @property
    def regency_kode(self) -> str | None:
        return self.kode[:5] if len(self.kode) >= 5 else None

    @property
    def district_kode(self) -> str | None:
        return self.kode[:8] if len(self.kode) >= 8 else None


_LEVELS = {2: "provinsi", 5: "kabupaten", 8: "kecamatan", 13: "desa"}


def normalize_code(raw: str) -> str:
    """Return the dotted form of a region code.

    Accepts ``64.01.01.2009`` or ``6401012009`` (and the shorter levels). Raises
    UnknownRegion with a readable reason when the text is not shaped like a code.
    """
    text = (raw or "").strip()
    if text.isdigit() and len(text) in _DIGIT_LENGTHS:
        parts, position = [], 0
        for width in _DIGIT_LENGTHS[len(text)]:
            parts.append(text[position : position + width])
            position += width
        text = ".".join(parts)
    if not _DOTTED.match(text):
        raise UnknownRegion(
            f"{raw!r} is not a kode wilayah (expected e.g. 64.01.01.2009 or 6401012009)"
        )
    return text


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    raw = resources.files("portal.data").joinpath(DATA_FILE).read_bytes()
    reader = csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8")))
    return {row["kode"]: row["nama"] for row in reader}


def lookup(raw: str) -> Region:
    """Return the region for a code in either form.

    Raises UnknownRegion when the code is malformed or not in the official list.
    """
    kode = normalize_code(raw)
    names = _names()
    if kode not in names:
        raise UnknownRegion(f"{kode} is not in the official Kemendagri list (2025 edition)")
    return Region(
        kode=kode,
        nama=names[kode],
        level=_LEVELS[len(kode)],
        provinsi=names[kode[:2]],
        kabupaten=names.get(kode[:5]) if len(kode) >= 5 else None,
        kecamatan=names.get(kode[:8]) if len(kode) >= 8 else None,
    )


def lookup_village(raw: str) -> Region:
    """Like `lookup`, but only village-level codes (desa/kelurahan) are accepted."""
    region = lookup(raw)
    if region.level != "desa":
        raise UnknownRegion(f"{region.kode} is a {region.level}, not a village (desa/kelurahan)")
    return region


def villages_under(prefix: str) -> list[Region]:
    """Every village whose code starts with the given province/regency/district code."""
    kode = normalize_code(prefix)
    start = kode + "."
    return [lookup(code) for code in _names() if len(code) == 13 and code.startswith(start)]


def default_timezone(kode: str) -> str:
    """The time zone label (WIB, WITA or WIT) of the province a code belongs to."""
    province = kode[:2]
    if province in _WITA_PROVINCES:
        return "WITA"
    if province in _WIT_PROVINCES:
        return "WIT"
    return "WIB"


def covers(scope: str, kode: str) -> bool:
    """True when ``kode`` lies inside ``scope`` (or is it)."""
    return kode == scope or kode.startswith(scope + ".")


# --- finding a village by what an officer types ------------------------------------------

#: Results of one search at most; a longer list is narrowed by typing more.
SEARCH_LIMIT = 25
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def _folded(text: str) -> str:
    """Lower-case ASCII letters and digits only: "Labuang Kallo" and "Labuangkallo" meet."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_ALNUM.sub("", ascii_text.lower())


@lru_cache(maxsize=64)
def _village_index(scope: str) -> tuple[tuple[str, str], ...]:
    """(folded name, code) of every village under ``scope`` ("" for the whole country)."""
    names = _names()
    start = scope + "." if scope else ""
    return tuple(
        (_folded(nama), kode)
        for kode, nama in names.items()
        if len(kode) == 13 and kode.startswith(start)
    )


def search_villages(scope: str, text: str, limit: int = SEARCH_LIMIT) -> list[Region]:
    """Villages under ``scope`` (a province, regency or district code; "" for all) that
    match what an officer typed, best first.

    A code (dotted or digits, whole or its beginning, e.g. "6401012" or "64.01.01")
    lists the villages it covers. A name matches ignoring case, spaces and punctuation
    ("labuang kallo" finds Labuangkallo): names that start with it first, then names
    containing it; when nothing contains it, spellings close to it ("Kesungai" finds
    Kasungai). Names repeat, so every result carries its kecamatan and kabupaten. Less
    than two characters give no results.
    """
    query = (text or "").strip()
    digits = re.sub(r"[.\s]", "", query)
    index = _village_index(scope)
    if digits.isdigit():
        wanted = [kode for _name, kode in index if kode.replace(".", "").startswith(digits)]
        return [lookup(kode) for kode in sorted(wanted)[:limit]]
    folded = _folded(query)
    if len(folded) < 2:
        return []
    starts = sorted((name, kode) for name, kode in index if name.startswith(folded))
    inside = sorted((name, kode) for name, kode in index if folded in name[1:])
    found = starts + [hit for hit in inside if not hit[0].startswith(folded)]
    if not found:
        names = sorted({name for name, _kode in index})
        close = set(difflib.get_close_matches(folded, names, n=limit, cutoff=0.75))
        found = sorted((name, kode) for name, kode in index if name in close)
    return [lookup(kode) for _name, kode in found[:limit]]
