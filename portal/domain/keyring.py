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
    return prepared_hmac(key, "sha256").digest(text.encode()).hex()


_INNER_PAD = bytes(x ^ 0x36 for x in range(256))
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))
_HASHES = {"md5": hashlib.md5, "sha256": hashlib.sha256}


class PreparedHmac:
    """HMAC (RFC 2104) under one key, with the key's inner and outer pads hashed once.

    Gives the same digests as `hmac.digest`; a key that signs many short messages (a
    gateway's RADIUS secret, a day's pseudonym key) skips the key setup every time.
    """

    __slots__ = ("_inner", "_outer")

    def __init__(self, key: bytes, digest: str) -> None:
        new = _HASHES[digest]
        self._inner, self._outer = new(), new()
        block = self._inner.block_size
        if len(key) > block:
            key = new(key).digest()
        key = key.ljust(block, b"\0")
        self._inner.update(key.translate(_INNER_PAD))
        self._outer.update(key.translate(_OUTER_PAD))

    def digest(self, message: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()


@lru_cache(maxsize=4096)
def prepared_hmac(key: bytes, digest: str) -> PreparedHmac:
    """The cached `PreparedHmac` of ``key`` ("md5" or "sha256"). Raises KeyError for others."""
    return PreparedHmac(key, digest)
