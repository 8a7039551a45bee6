"""Words around figures in the reader's language (Bahasa Indonesia, or English from the
shared ``lang`` cookie), for every audience: residents, village admins and officers.

Numbers keep the Indonesian grouping of `portal.web.formatting` in both languages, so a
figure reads the same whichever language was chosen.
"""

from __future__ import annotations

from flask_babel import gettext

from portal.web.formatting import number


def duration(seconds: int) -> str:
    """``5400`` → ``"1 jam 30 menit"`` / ``"1 h 30 min"``; under an hour ``"12 menit"``;
    a negative count reads as ``"0 menit"``."""
    hours, minutes = divmod(max(0, int(seconds)) // 60, 60)
    if hours and minutes:
        return gettext("%(hours)s jam %(minutes)s menit", hours=number(hours), minutes=minutes)
    if hours:
        return gettext("%(hours)s jam", hours=number(hours))
    return gettext("%(minutes)s menit", minutes=minutes)
