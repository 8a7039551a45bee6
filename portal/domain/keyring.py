"""Keys derived from the installation's secret key, one per purpose.

Deriving (HMAC-SHA256 of the purpose under the master key) means a leaked derived key
says nothing about the others, and nothing extra has to be stored.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache


@lru_cache(maxsize=64)  # a pure function of its arguments, called per packet
def derive(master: str, purpose: str) -> bytes:
    """A 32-byte key for ``purpose`` (e.g. "grant-password", "voucher-code")."""
    return hmac.new(master.encode(), purpose.encode(), hashlib.sha256).digest()


def keyed_hash(key: bytes, text: str) -> str:
    """Hex HMAC-SHA256 of ``text`` under ``key``: a lookup-able, non-reversible digest."""
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
