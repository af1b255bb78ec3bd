"""The listener ``serve --workers N`` shares: connections accepted on it get TCP_NODELAY."""

from __future__ import annotations

import asyncio
import socket

import uvicorn

from consentline.listener import with_tcp_protocol
from tests.helpers import run_apart


async def _nodelay_of_an_accepted_connection(listener: socket.socket) -> int:
    accepted: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
    async with server:
        _reader, writer = await asyncio.open_connection(*listener.getsockname()[:2])
        result = await asyncio.wait_for(accepted, 5)
        writer.close()
    return result


def _uvicorn_listener() -> socket.socket:
    return uvicorn.Config(app="unused:app", host="127.0.0.1", port=0).bind_socket()


def test_uvicorns_own_shared_listener_leaves_nagle_on() -> None:
    """Why the fix exists: if this starts failing, uvicorn fixed issue #3149 itself."""
    assert run_apart(asyncio.run, _nodelay_of_an_accepted_connection(_uvicorn_listener())) == 0


def test_the_listener_declared_as_tcp_turns_nagle_off() -> None:
    listener = with_tcp_protocol(_uvicorn_listener())
    assert listener.proto == socket.IPPROTO_TCP
    assert listener.get_inheritable()  # still handed down to the worker processes
    assert run_apart(asyncio.run, _nodelay_of_an_accepted_connection(listener)) != 0
