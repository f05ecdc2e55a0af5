"""The production server: gevent's WSGI server with WebSocket support, one process.

Written out rather than `socketio.run` so that accepted sockets get TCP_NODELAY: responses
leave in more than one write, and Nagle's algorithm against a client's delayed ACK otherwise
adds 40 ms to every request after the first on a keep-alive connection (measured here).
"""
import logging
import socket

from gevent import pywsgi
from geventwebsocket.handler import WebSocketHandler


class _NoDelayServer(pywsgi.WSGIServer):
    def handle(self, sock, address):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        super().handle(sock, address)


def serve(app, host, port):
    """Serve `app` (and its Socket.IO) until interrupted. Needs gevent's monkey patching first."""
    server = _NoDelayServer((host, port), app, handler_class=WebSocketHandler,
                            log=None, error_log=logging.getLogger("hall.server"))
    server.serve_forever()
