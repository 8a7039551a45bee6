"""What an installation keeps and for how long, in plain words (Bahasa Indonesia, or English
from the catalog).

Shown on the report pages and printed by ``wifidesa purge``; the rules themselves are
`portal.domain.usage.retention`'s, with the numbers of the installation's settings.
"""

from __future__ import annotations

from portal.config import Settings
from portal.messages import RETENTION, words
from portal.web.formatting import number


def retention_lines(settings: Settings, language: str = "id") -> list[str]:
    """The retention settings in plain words, for admins, in ``language`` (the catalog's
    `portal.messages.RETENTION`; Indonesian for ``wifidesa purge``)."""
    values = {
        "days": number(settings.session_retention_days),
        "grace": number(settings.key_grace_days),
        "threshold": settings.suppression_threshold,
    }
    return [words(text, language) % values for text in RETENTION]
