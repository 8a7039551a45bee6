"""Keys derived from the installation's secret key, one per purpose.

Deriving (HMAC-SHA256 of the purpose under the master key) means a leaked derived key
says nothing about the others, and nothing extra has to be stored. Secrets the
installation must use again (an SMTP password, a Telegram bot token) are `seal`-ed under
such a key: a copy of the database alone does not give them away.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


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


class SealBroken(Exception):
    """A sealed value could not be opened: another secret key, or the text was altered."""


def seal(master: str, purpose: str, secret: str) -> str:
    """``secret`` encrypted and authenticated (AES-256-GCM) under the key of ``purpose``.

    Returns printable text (base64 of a random 12-byte nonce and the ciphertext), about
    1.4 × the secret's length plus 38 characters.
    """
    nonce = os.urandom(12)
    sealed = AESGCM(derive(master, purpose)).encrypt(nonce, secret.encode(), purpose.encode())
    return base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(master: str, purpose: str, sealed: str) -> str:
    """The secret `seal` sealed. Raises SealBroken when it was sealed under another key or
    purpose, or altered."""
    try:
        raw = base64.urlsafe_b64decode(sealed.encode())
        opened = AESGCM(derive(master, purpose)).decrypt(raw[:12], raw[12:], purpose.encode())
    except (InvalidTag, ValueError) as error:
        raise SealBroken(purpose) from error
    return opened.decode()
