"""The listening socket that ``serve --workers N`` shares between its processes."""

from __future__ import annotations

import socket


def with_tcp_protocol(listener: socket.socket) -> socket.socket:
    """The same listener, declared as TCP so that accepted connections get TCP_NODELAY.

    uvicorn binds the shared listener with protocol 0, and asyncio turns Nagle's algorithm
    off only on connections whose socket says IPPROTO_TCP. Without it, each answer on a
    keep-alive connection waits about 40 ms for the client's delayed ACK (uvicorn issue
    #3149). One process serving alone is not affected: asyncio binds that listener itself.
    """
    if listener.family not in (socket.AF_INET, socket.AF_INET6) or listener.proto:
        return listener
    inheritable = listener.get_inheritable()
    tcp = socket.socket(listener.family, listener.type, socket.IPPROTO_TCP, listener.detach())
    tcp.set_inheritable(inheritable)
    return tcp
