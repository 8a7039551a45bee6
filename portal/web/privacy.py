"""What an installation keeps and for how long, in plain words (Bahasa Indonesia).

Shown on the report pages and printed by ``wifidesa purge``; the rules themselves are
`portal.domain.usage.retention`'s, with the numbers of the installation's settings.
"""

from __future__ import annotations

from portal.config import Settings
from portal.web.formatting import number


def retention_lines(settings: Settings) -> list[str]:
    """The retention settings in plain words, for admins."""
    threshold = settings.suppression_threshold
    return [
        f"Catatan sesi mentah (kapan perangkat tersambung, berapa lama, berapa data) disimpan"
        f" {number(settings.session_retention_days)} hari, lalu dihapus. Rekap per jam dan"
        " per hari tetap ada.",
        "Alamat MAC perangkat tidak pernah disimpan. Perangkat dicatat dengan nama samaran"
        " yang berganti setiap hari.",
        f"Kunci nama samaran dihapus {number(settings.key_grace_days)} hari setelah harinya"
        " berakhir. Sesudah itu catatan tidak dapat lagi dihubungkan dengan perangkat atau"
        " dengan catatan hari lain.",
        "Alamat IP perangkat hanya disimpan selama sesinya berjalan.",
        f"Data terbuka tidak menampilkan angka yang menggambarkan kurang dari {threshold}"
        " perangkat.",
        "Penghapusan berjalan otomatis setiap hari; admin server juga dapat menjalankan"
        " `wifidesa purge`.",
    ]
