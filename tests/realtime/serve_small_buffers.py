"""`hall serve` whose accepted sockets have a 4 KB send buffer, for tests of slow screens.

The kernel otherwise grows a loopback socket's buffer to megabytes, so a screen that stops reading
would have to miss megabytes of pushes before the server felt it. Everything else is `hall serve`.
"""
import socket
import sys

from gevent import monkey

monkey.patch_all()

from hall import server  # noqa: E402 - after the patching, as `hall serve` does
from hall.cli import main  # noqa: E402

_handle = server._NoDelayServer.handle


def handle(self, sock, address):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    _handle(self, sock, address)


server._NoDelayServer.handle = handle

if __name__ == "__main__":
    sys.exit(main())
