"""Running the API under uvicorn.

With ``--workers N`` uvicorn binds the listening socket itself with ``proto`` 0; accepted
connections inherit it, and asyncio only turns on TCP_NODELAY for sockets that say
IPPROTO_TCP. Nagle's algorithm then holds back each response's last segment until the
client's delayed ACK: about 40 ms on every keep-alive request on Linux (uvicorn issue #3149,
open at 0.54.0). We re-label the bound socket as TCP so that every worker's connections get
TCP_NODELAY, as the single-process path already does.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.config import Config

_original_bind_socket = Config.bind_socket


def _bind_tcp_socket(self: Config) -> socket.socket:
    sock = _original_bind_socket(self)
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock


def run(app: str, **options: Any) -> None:
    Config.bind_socket = _bind_tcp_socket  # type: ignore[method-assign]
    uvicorn.run(app, **options)
