"""The server's UDP sockets, and the SQLite setting its packet threads need."""

from __future__ import annotations

import socket

RECEIVE_BUFFER = 4 * 1024 * 1024


def no_autocheckpoint(dbapi_connection: object, _record: object) -> None:
    """SQLite: never checkpoint the WAL inside a packet thread's commit (the upkeep
    thread does it every second instead)."""
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


def bind_udp(host: str, port: int) -> socket.socket:
    """A UDP socket bound to ``host``:``port`` with a large receive buffer.

    Raises OSError (and leaves nothing open) when the port is taken or not ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    # The default buffer holds ~150 requests; a fleet re-authenticating after a power
    # cut overflows it and each loss costs a router a retransmit timeout. The kernel
    # caps this at net.core.rmem_max (raise it, see the README).
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock
