"""`lrs serve --workers N` keeps TCP_NODELAY (uvicorn issue #3149): the bound listener says
IPPROTO_TCP, so asyncio sets TCP_NODELAY on every connection it accepts."""

from __future__ import annotations

import asyncio
import socket

from uvicorn.config import Config

from open_lrs.core import serving


def test_the_bound_listener_is_tcp_and_accepted_connections_get_nodelay() -> None:
    config = Config(app="open_lrs.app:create_app", host="127.0.0.1", port=0)
    listener = serving._bind_tcp_socket(config)
    try:
        assert listener.proto == socket.IPPROTO_TCP
        port = listener.getsockname()[1]
        seen: list[int] = []

        class Report(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        async def accept_one() -> None:
            server = await asyncio.get_running_loop().create_server(Report, sock=listener)
            async with server:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                for _ in range(100):
                    if seen:
                        break
                    await asyncio.sleep(0.01)
                writer.close()

        asyncio.run(accept_one())
        assert len(seen) == 1
        assert seen[0] != 0
    finally:
        listener.close()
