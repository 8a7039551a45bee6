"""The Satu Data metadata document of a usage export: indicators, units, source, period, licence.

Satu Data Indonesia asks for metadata beside every dataset (Perpres 39/2019; the MS-Ind
form of Peraturan BPS 5/2020 for indicators). This is the JSON served at
/api/v1/usage/metadata.json, in Bahasa Indonesia as regional data portals show it.
"""

from __future__ import annotations

from datetime import date

from portal.domain.reporting.satudata import LICENCE, REGION_EDITION, columns

#: (unit, definition) of every indicator, in Bahasa Indonesia as Satu Data portals show them.
INDICATOR_DEFINITIONS = {
    "sessions": ("sesi", "Jumlah sesi hotspot yang dimulai dalam periode."),
    "devices": (
        "perangkat",
        "Jumlah perangkat berbeda per hari (pseudonim harian). Untuk periode lebih dari satu"
        " hari dan untuk total wilayah: jumlah perangkat-hari, bukan jumlah orang.",
    ),
    "bytes_down": ("byte", "Data yang diunduh perangkat (dari internet ke perangkat)."),
    "bytes_up": ("byte", "Data yang diunggah perangkat (dari perangkat ke internet)."),
    "seconds_online": (
        "detik",
        "Jumlah lama sesi. Rata-rata lama sesi = seconds_online / sessions.",
    ),
    "peak_concurrent": (
        "perangkat",
        "Jumlah perangkat tersambung bersamaan tertinggi. Kosong pada total wilayah"
        " (tidak dapat dijumlahkan).",
    ),
    "terms_accepted": (
        "kali",
        "Berapa kali syarat penggunaan disetujui oleh perangkat yang kemudian tersambung"
        " (sekali per perangkat per hari, pada sesi pertamanya).",
    ),
    "vouchers_redeemed": ("voucher", "Jumlah voucher yang dipakai pertama kali."),
    "quota_refusals": ("kali", "Berapa kali perangkat ditolak karena kuota harian habis."),
}
_COLUMN_DEFINITIONS = {
    "tingkat": "Tingkat wilayah baris: desa_kelurahan, kecamatan, kabupaten_kota atau provinsi.",
    "tanggal": "Tanggal lokal desa (WIB/WITA/WIT), format YYYY-MM-DD.",
    "jam": "Jam lokal desa, format HH.00 (awal jam).",
    "tanggal_awal": "Tanggal lokal pertama periode, format YYYY-MM-DD.",
    "tanggal_akhir": "Tanggal lokal terakhir periode (termasuk), format YYYY-MM-DD.",
}


def metadata(
    group: str, start: date, end: date, *, variant: str, threshold: int, producer: str
) -> dict[str, object]:
    """The metadata document (JSON-ready) of an export with these parameters."""
    columns_meta: list[dict[str, object]] = []
    for name in columns(group):
        if name in INDICATOR_DEFINITIONS:
            unit, definition = INDICATOR_DEFINITIONS[name]
            columns_meta.append(
                {"nama": name, "jenis": "indikator", "tipe": "integer", "satuan": unit,
                 "definisi": definition}
            )  # fmt: skip
        elif name.startswith(("kode_", "nama_")):
            level = name.split("_", 1)[1].replace("_", " ")
            kind = "Kode" if name.startswith("kode_") else "Nama resmi"
            columns_meta.append(
                {"nama": name, "jenis": "dimensi", "tipe": "string",
                 "definisi": f"{kind} {level} menurut {REGION_EDITION} (Permendagri 58/2021)."}
            )  # fmt: skip
        else:
            columns_meta.append(
                {"nama": name, "jenis": "dimensi", "tipe": "string",
                 "definisi": _COLUMN_DEFINITIONS[name]}
            )  # fmt: skip
    suppression = (
        f"Sel yang menggambarkan kurang dari {threshold} perangkat dikosongkan, beserta sel"
        " pelengkap (supresi komplementer) agar nilai yang dikosongkan tidak dapat dihitung"
        " dari total."
        if variant == "open"
        else "Angka tepat untuk keperluan internal Diskominfo; jangan dipublikasikan."
    )
    return {
        "judul": "Penggunaan Wi-Fi publik desa",
        "deskripsi": (
            "Rekap penggunaan hotspot Wi-Fi gratis di kantor desa per wilayah dan periode."
        ),
        "sumber": (
            "Accounting RADIUS gateway hotspot MikroTik (Wifi Desa), direkap per jam dan per hari."
        ),
        "produsen_data": producer,
        "lisensi": LICENCE,
        "lisensi_url": "https://creativecommons.org/licenses/by/4.0/",
        "periode": {
            "awal": start.isoformat(),
            "akhir": end.isoformat(),
            "satuan_waktu": {"day": "harian", "hour": "per jam", "village": "seluruh periode"}[
                group
            ],
        },
        "zona_waktu": "Waktu lokal desa (WIB, WITA atau WIT)",
        "kode_referensi": REGION_EDITION,
        "varian": variant,
        "ambang_supresi_perangkat": threshold if variant == "open" else None,
        "supresi": suppression,
        "format": {
            "encoding": "UTF-8",
            "pemisah": ",",
            "nilai_kosong": "tersembunyi atau tidak berlaku",
        },
        "kolom": columns_meta,
    }
