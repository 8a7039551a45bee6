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
