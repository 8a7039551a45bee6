"""What a person reads when the domain refuses something, by reason code.

The domain returns reason codes and figures (`portal.domain.access.authorize.Decision`);
the words live here and in the Babel catalog (`portal/translations`), so the RADIUS
server's Reply-Message, which the router shows on its login page as ``$(error)``, and
the residents' pages say the same thing. The RADIUS server has no Flask app, so the
catalog is read with Babel directly. Replies go to the router in Bahasa Indonesia: it
cannot know the phone's language.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from gettext import NullTranslations

from babel.support import Translations

from portal.domain import clock
from portal.domain.errors import DomainError

TRANSLATIONS = __file__.rsplit("/", 1)[0] + "/translations"


def _l(text: str) -> str:
    """Marks ``text`` for the catalog (pybabel extracts ``_l``); translated when read."""
    return text


WRONG = _l("Kode atau kata sandi salah. Silakan coba lagi.")
STALE = _l(
    "Sesi masuk sudah kedaluwarsa. Buka lagi halaman Wi-Fi Desa lalu tekan Setuju & Sambungkan."
)
#: Reason code → message; %(time)s and %(zone)s are filled from the decision's figures.
REPLIES = {
    "wrong-password": WRONG,
    "unknown-user": WRONG,
    "grant-unknown": WRONG,
    # A user name shaped like a voucher code may be any mistyped one: say no more.
    "voucher-unknown": WRONG,
    "grant-expired": STALE,
    "grant-used": STALE,
    "grant-wrong-gateway": STALE,
    "grant-wrong-device": STALE,
    "no-device": _l("Perangkat tidak dikenali. Silakan sambungkan ulang ke Wi-Fi."),
    "mac-unknown": _l("Silakan buka halaman Wi-Fi Desa dan setujui ketentuan terlebih dahulu."),
    "voucher-expired": _l("Masa berlaku voucher ini sudah habis."),
    "voucher-voided": _l("Voucher ini sudah dibatalkan oleh pengelola desa."),
    "voucher-used-up": _l("Kuota voucher ini sudah habis terpakai."),
    "voucher-taken": _l("Voucher ini sudah dipakai di perangkat lain."),
    "voucher-throttled": _l(
        "Terlalu banyak kode voucher yang salah dari perangkat ini. Tunggu sebentar, lalu"
        " coba lagi."
    ),
    "terms-outdated": _l(
        "Halaman Wi-Fi Desa di router sudah usang. Muat ulang halaman lalu tekan Setuju &"
        " Sambungkan."
    ),
    "quota": _l("Kuota harian Anda sudah habis. Coba lagi besok pukul %(time)s %(zone)s."),
}


#: A refused form value's reason code (`portal.domain.errors.DomainError.code`) → words;
#: %(name)s placeholders are filled from the error's ``params``.
REFUSALS = {
    "refused": _l("Isian ini tidak dapat diterima."),
    # gateways
    "address-invalid": _l(
        "'%(value)s' bukan alamat IP atau jaringan (contoh: 10.8.0.2 atau 10.8.0.0/24)."
    ),
    "address-too-wide": _l(
        "%(value)s akan menerima pengirim mana pun; isi alamat router atau jaringan paling"
        " luas /%(widest)s."
    ),
    "nas-identifier-invalid": _l(
        "NAS-Identifier hanya boleh huruf, angka, '.', '_' atau '-' (maks. 64)."
    ),
    "host-invalid": _l("'%(value)s' bukan alamat IP atau nama host."),
    "port-invalid": _l("Port CoA harus 1–65535."),
    "secret-short": _l("Rahasia minimal %(min)s karakter."),
    "secret-unprintable": _l("Rahasia paling banyak %(max)s karakter ASCII yang dapat dicetak."),
    "secret-taken": _l(
        "Router lain sudah memakai rahasia ini; beri setiap router rahasianya sendiri."
    ),
    "gateway-exists": _l("Sudah ada router dengan NAS-Identifier '%(name)s'."),
    # gateway inventory
    "provider-too-long": _l("Nama penyedia paling banyak 80 karakter."),
    "programme-too-long": _l("Nama program paling banyak 80 karakter."),
    "text-unprintable": _l("Isi hanya dengan teks yang dapat dicetak."),
    "backhaul-unknown": _l("Pilih jenis backhaul dari daftar."),
    "mbps-out-of-range": _l("Kapasitas kontrak harus 1 sampai 100.000 Mbps."),
    # announcements and pictures
    "title-length": _l("Judul harus 1–%(max)s karakter."),
    "body-length": _l("Isi paling banyak %(max)s karakter."),
    "category-unknown": _l("Kategori tidak dikenal."),
    "end-before-start": _l("Waktu berakhir harus setelah waktu mulai."),
    "picture-too-large": _l("Gambar terlalu besar (maks. 5 MB)."),
    "picture-format": _l("Format gambar tidak diterima; pakai JPEG, PNG atau WebP."),
    "picture-unreadable": _l("Berkas ini bukan gambar yang dapat dibaca."),
    # accounts, regions, villages
    "username-invalid": _l("Nama pengguna harus 3–64 huruf kecil, angka, '.', '_' atau '-'."),
    "scope-outside": _l("Wilayah ini di luar wilayah Anda."),
    "role-unknown": _l("Peran harus provinsi, kabupaten atau desa."),
    "scope-level": _l("Peran ini perlu kode wilayah seperti %(example)s, bukan %(value)s."),
    "region-malformed": _l(
        "'%(value)s' bukan kode wilayah (contoh: 64.01.01.2009 atau 6401012009)."
    ),
    "region-unknown": _l("%(value)s tidak ada dalam daftar resmi Kemendagri (edisi 2025)."),
    "region-not-village": _l("%(value)s bukan kode desa/kelurahan."),
    "village-not-set-up": _l("Desa %(name)s (%(value)s) belum didaftarkan."),
    "ssid-length": _l("Nama Wi-Fi harus 1 sampai %(max)s byte."),
    "timezone-unknown": _l("Zona waktu harus WIB, WITA atau WIT."),
    # API tokens
    "token-scope-district": _l("%(value)s adalah kecamatan; pilih provinsi, kabupaten atau desa."),
    "token-label-invalid": _l("Keterangan paling banyak %(max)s karakter yang dapat dicetak."),
    # fair-use policies
    "rate-limit-invalid": _l(
        "Tulis kecepatan seperti di MikroTik: unggah/unduh, mis. 256k/1M (bukan '%(value)s')."
    ),
    "policy-field-unknown": _l("Isian kebijakan tidak dikenal: %(fields)s."),
    "negative": _l("Nilai harus 0 (tanpa batas) atau lebih."),
    "below-one": _l("Nilai minimal 1."),
    "on-exhausted-unknown": _l("Pilih 'tolak' atau 'perlambat' saat kuota habis."),
    "policy-scope-invalid": _l("%(value)s bukan kode kabupaten atau desa."),
    # OpenSID news feeds
    "feed-scheme": _l("Alamat harus diawali http:// atau https://."),
    "feed-unreachable": _l("Nama %(host)s tidak ditemukan."),
    "feed-private": _l("%(host)s bukan alamat publik."),
    "feed-status": _l("Situs menjawab dengan kode %(status)s."),
    "feed-silent": _l("Situs tidak menjawab."),
    "feed-too-large": _l("Umpan berita terlalu besar."),
    "feed-invalid": _l("Umpan berita bukan RSS yang sah."),
    # reports
    "group-unknown": _l("Pengelompokan tidak dikenal."),
    "range-reversed": _l("Tanggal akhir sebelum tanggal awal."),
    "range-too-long": _l("Rentang paling lama %(days)s hari untuk pengelompokan ini."),
    "too-many-rows": _l("Lebih dari %(max)s baris; unduh sebagai CSV."),
    # notification settings
    "notify-silent-range": _l("Isi antara 15 dan 10080 menit (7 hari)."),
    "notify-time": _l("Tulis jam sebagai JJ:MM, mis. 17:00."),
    "notify-host": _l("Tulis nama server tanpa http://, mis. smtp.kaltimprov.go.id."),
    "notify-port": _l("Port antara 1 dan 65535."),
    "notify-address": _l("Alamat e-mail tidak sah."),
    "notify-login-needs-tls": _l(
        "Login SMTP hanya lewat STARTTLS, agar kata sandi tidak terkirim terbuka."
    ),
    "notify-required": _l("Wajib diisi untuk saluran yang dinyalakan."),
    "notify-token": _l("Token bot berbentuk 123456789:ABC…, dari @BotFather."),
    "notify-chat": _l("ID chat berupa angka (grup: diawali tanda minus) atau @namakanal."),
    "notify-api-base": _l("Alamat Bot API harus diawali https://."),
}


@lru_cache(maxsize=4)
def _catalog(language: str) -> NullTranslations:
    if language == "id":  # the messages are written in Indonesian
        return NullTranslations()
    return Translations.load(TRANSLATIONS, [language])


def local_time(instant: datetime, timezone: str, language: str = "id") -> str:
    """A naive UTC instant as the village's clock time: ``00.00`` (``00:00`` in English)."""
    local = clock.to_local(instant, timezone)
    return f"{local:%H}{'.' if language == 'id' else ':'}{local:%M}"


def reply_message(
    reason: str,
    *,
    timezone: str,
    resets_at: datetime | None = None,
    language: str = "id",
) -> str:
    """The words for a refusal's reason code (WRONG for a code without words of its own).

    ``resets_at`` (naive UTC) fills in when a spent quota starts again.
    """
    text = _catalog(language).gettext(REPLIES.get(reason, WRONG))
    if resets_at is None:
        return text
    return text % {"time": local_time(resets_at, timezone, language), "zone": timezone}


def refusal(error: DomainError, language: str = "id") -> str:
    """The words for a refused value (`DomainError.code` and ``params``) in ``language``;
    a code without words of its own gets the general "not acceptable" sentence."""
    text = _catalog(language).gettext(REFUSALS.get(error.code, REFUSALS["refused"]))
    try:
        return text % error.params
    except (KeyError, TypeError, ValueError):  # words that need a value the error lacks
        return _catalog(language).gettext(REFUSALS["refused"])


def words(text: str, language: str = "id") -> str:
    """``text`` (an Indonesian msgid) in ``language``, read from the catalog."""
    return _catalog(language).gettext(text)


#: What an installation keeps and for how long (`portal.web.privacy.retention_lines`),
#: filled with %(days)s, %(grace)s and %(threshold)s from its settings.
RETENTION = (
    _l(
        "Catatan sesi mentah (kapan perangkat tersambung, berapa lama, berapa data) disimpan"
        " %(days)s hari, lalu dihapus. Rekap per jam dan per hari tetap ada."
    ),
    _l(
        "Alamat MAC perangkat tidak pernah disimpan. Perangkat dicatat dengan nama samaran"
        " yang berganti setiap hari."
    ),
    _l(
        "Kunci nama samaran dihapus %(grace)s hari setelah harinya berakhir. Sesudah itu"
        " catatan tidak dapat lagi dihubungkan dengan perangkat atau dengan catatan hari lain."
    ),
    _l("Alamat IP perangkat hanya disimpan selama sesinya berjalan."),
    _l(
        "Data terbuka tidak menampilkan angka yang menggambarkan kurang dari %(threshold)s"
        " perangkat."
    ),
    _l(
        "Penghapusan berjalan otomatis setiap hari; admin server juga dapat menjalankan"
        " `wifidesa purge`."
    ),
)


#: Notifications by event kind: (subject, body). Filled from the event's parameters
#: (names, local times and dates) by `portal.web.notices`.
NOTICES = {
    "gateway_down": (
        _l("Router mati: %(gateway)s, Desa %(village)s"),
        _l(
            "Router %(gateway)s di Desa %(village)s (Kecamatan %(district)s) tidak"
            " terdengar lagi sejak %(since)s."
        ),
    ),
    "gateway_up": (
        _l("Router hidup lagi: %(gateway)s, Desa %(village)s"),
        _l(
            "Router %(gateway)s di Desa %(village)s terdengar lagi pada %(back)s,"
            " setelah diam sejak %(since)s."
        ),
    ),
    "contract_ending": (
        _l("Kontrak internet berakhir: %(gateway)s, Desa %(village)s"),
        _l(
            "Kontrak internet router %(gateway)s di Desa %(village)s (penyedia:"
            " %(provider)s, program: %(programme)s) berakhir pada %(date)s, %(days_left)s hari"
            " lagi. Perpanjang sebelum tanggal itu agar hotspot desa tetap menyala."
        ),
    ),
    "daily_summary": (_l("Ringkasan harian Wifi Desa: %(area)s"), ""),
    "test": (
        _l("Pesan uji Wifi Desa"),
        _l(
            "Pesan uji dari konsol Wifi Desa untuk %(area)s. Jika pesan ini sampai,"
            " pemberitahuan akan dikirim ke sini."
        ),
    ),
}
#: The subject of several events of one kind sent as one message.
NOTICE_GROUPS = {
    "gateway_down": _l("%(count)s router mati: %(area)s"),
    "gateway_up": _l("%(count)s router hidup lagi: %(area)s"),
    "contract_ending": _l("%(count)s kontrak internet berakhir dalam 30 hari: %(area)s"),
}
#: Why a channel could not send, by `portal.adapters.channels.ChannelFailed` code.
CHANNEL_ERRORS = {
    "smtp-connect": _l("Server SMTP tidak dapat dihubungi. Periksa nama server dan port."),
    "smtp-tls": _l(
        "Koneksi aman (STARTTLS) gagal: server tidak mendukungnya atau sertifikatnya tidak"
        " dapat dipercaya."
    ),
    "smtp-auth": _l("Server SMTP menolak login: nama pengguna atau kata sandi salah."),
    "smtp-refused": _l("Server SMTP menolak alamat pengirim atau penerima."),
    "smtp-error": _l("Server SMTP menjawab dengan galat. Coba lagi nanti."),
    "telegram-connect": _l("Bot API Telegram tidak dapat dihubungi."),
    "telegram-tls": _l("Sertifikat Bot API Telegram tidak dapat dipercaya."),
    "telegram-token": _l("Telegram tidak mengenal token bot ini."),
    "telegram-chat": _l(
        "Telegram menolak chat ini: ID chat salah atau bot belum dimasukkan ke grup."
    ),
    "telegram-busy": _l("Telegram meminta jeda karena terlalu banyak pesan. Dicoba lagi nanti."),
    "telegram-error": _l("Bot API Telegram menjawab dengan galat."),
    "channel-off": _l("Saluran ini mati atau belum lengkap diisi."),
    "seal-broken": _l(
        "Kata sandi atau token yang tersimpan tidak dapat dibuka (kunci rahasia instalasi"
        " berganti). Isi ulang."
    ),
}
