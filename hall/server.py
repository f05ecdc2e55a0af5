"""The production server: gevent's WSGI server with WebSocket support, one process.

Written out rather than `socketio.run` for two reasons.

Accepted sockets get TCP_NODELAY: responses leave in more than one write, and Nagle's algorithm
against a client's delayed ACK otherwise adds 40 ms to every request after the first on a
keep-alive connection (measured here; for a WebSocket frame, one write, it changes nothing).

A broadcast writes one pre-built WebSocket frame straight into each screen's socket
(`install_fanout`). Through the libraries a message cost the server about 34 µs per connected
client (py-spy, 1,000 screens): python-socketio hands the packet to engine.io once per client,
engine.io queues it for that client's writer greenlet, which wakes (a switch, a queue, a timer),
frames it for gevent-websocket, whose `sendall` asks the kernel for the buffer size before it
sends; the last of 1,000 screens heard a call 30–60 ms after the first. Written here, it costs
one non-blocking `send` and about 8–9 µs (README, "Real time"). A command's messages come as one
batch (`fan_out`, installed on the Socket.IO server for hall/message_queue.py): each screen's
share of it, the call first, in a single `send`. The rules that
keep every client's messages whole and in the order they were emitted:

- every byte for a WebSocket goes through its `_Frames` (gevent-websocket's `raw_write`), which
  lets one greenlet write at a time, so a broadcast frame never lands inside another frame;
- a broadcast writes a client's frame itself only while nothing is ahead of it: the client is
  on a WebSocket, engine.io's queue for it is empty and no write to it is under way or waiting.
  Otherwise (long-polling, a snapshot or a ping still queued, a slow client's full buffer) the
  packet takes the libraries' path, behind what is queued;
- a send the kernel takes only in part has its tail written by a greenlet of its own, under
  the same rules, so a slow screen holds up neither the others nor the centre's lock.
It leans on library internals (engine.io's socket `queue`/`upgraded` and its `_async` table,
python-socketio's `_send_eio_packet`, which Flask-SocketIO's own test client replaces the same
way, gevent's `socket._sock`): rerun `bench/realtime.py` after upgrading them; a test fails
when they are gone (`tests/realtime/test_frames.py`, with the ordering rules on socket pairs).
`tests/realtime` (python-socketio on WebSockets, and a screen that reads slowly against small
send buffers) and `tests/displays` (Chromium: long-polling, then an upgrade) go through both paths.
"""
import logging
import socket

import gevent
from gevent import pywsgi
from gevent.ssl import SSLSocket
from gevent.lock import Semaphore
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import Header, WebSocket
from engineio import packet as eio_packet
from socketio import packet as sio_packet

from .collector import QuietCollector
from .message_queue import FAN_OUT_ATTR

FRAMES_KEY = "hall.frames"      # the environ key of a WebSocket's `_Frames`
FRAMES_ATTR = "hall_frames"     # ... and the attribute it is kept under on engine.io's socket


class _Frames:
    """The one way bytes reach one WebSocket's TCP socket (see the module's docstring)."""

    __slots__ = ("_busy", "_raw", "_sock", "_tail", "_turn")

    def __init__(self, sock):
        self._sock = sock                   # gevent's socket: blocks the greenlet, not the process
        self._raw = sock._sock              # the non-blocking socket under it
        self._turn = Semaphore()            # one writer at a time
        self._busy = 0                      # writers writing or waiting for their turn
        self._tail = None                   # the rest of a frame `offer` could not finish

    def write(self, data):
        """Write all of `data` after anything before it (gevent-websocket's `raw_write`)."""
        self._busy += 1
        try:
            with self._turn:
                self._flush()
                self._sock.sendall(data)
        finally:
            self._busy -= 1

    def offer(self, frame):
        """Write `frame` now if no other write is under way or waiting; False if it must queue.

        Counting the writers that wait too (not just the one writing) matters: between one
        writer's release and the next one's wake-up the semaphore looks free, and a frame
        written then would overtake the one that waits.
        """
        if self._busy:
            return False
        try:
            sent = self._raw.send(frame)
        except OSError:                     # full (EAGAIN) or dead: the libraries' path copes
            return False
        if sent < len(frame):
            self._tail = memoryview(frame)[sent:]
            self._busy += 1
            gevent.spawn(self._finish)
        return True

    def _finish(self):
        try:
            with self._turn:
                self._flush()
        except OSError:
            pass                            # the reader notices the dead socket and closes it
        finally:
            self._busy -= 1

    def _flush(self):
        if self._tail is not None:
            tail, self._tail = self._tail, None
            self._sock.sendall(tail)


class _Handler(WebSocketHandler):
    def run_websocket(self):
        sock = getattr(self, "socket", None)
        # under TLS the raw socket below would carry plaintext: such sockets keep the slow path
        if self.websocket is not None and hasattr(sock, "_sock") and not isinstance(sock, SSLSocket):
            frames = _Frames(sock)
            self.websocket.raw_write = frames.write
            self.environ[FRAMES_KEY] = frames
        super().run_websocket()


class _NoDelayServer(pywsgi.WSGIServer):
    def handle(self, sock, address):
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:
            pass
        super().handle(sock, address)


def _text_frame(payload):
    data = payload.encode() if isinstance(payload, str) else payload
    return bytes(Header.encode_header(True, WebSocket.OPCODE_TEXT, b"", len(data), 0)) + data


def install_fanout(sio, on_broadcast=None):
    """Make `sio` (a Flask-SocketIO `SocketIO` in gevent mode) broadcast as the docstring says.

    Returns whether it did: not outside gevent, nor (with a warning) when the library internals
    it leans on are gone, in which case everything keeps working at the libraries' speed.
    `on_broadcast()` is called as each command's messages go out (hall/collector.py).
    """
    server = sio.server
    eio = server.eio
    if eio.async_mode != "gevent":
        return False
    if not callable(getattr(server, "_send_eio_packet", None)) or "websocket" not in getattr(eio, "_async", {}) \
            or not isinstance(getattr(eio, "sockets", None), dict):
        logging.getLogger("hall.server").warning(
            "python-socketio/engine.io internals changed: broadcasts take the libraries' slower path")
        return False
    base_ws = eio._async["websocket"]
    slow_send = server._send_eio_packet

    class _WebSocket(base_ws):
        # engine.io builds one of these per WebSocket with its socket's handler as `app`: tie
        # that socket to the connection's `_Frames` for as long as the connection lasts
        def __call__(self, environ, start_response):
            eio_socket = getattr(self.app, "__self__", None)
            frames = environ.get(FRAMES_KEY)
            if eio_socket is not None and frames is not None:
                setattr(eio_socket, FRAMES_ATTR, frames)
            try:
                return super().__call__(environ, start_response)
            finally:
                if eio_socket is not None:
                    setattr(eio_socket, FRAMES_ATTR, None)

    eio._async = {**eio._async, "websocket": _WebSocket}
    sockets = eio.sockets
    last = [None, None]     # the packet last framed and its frame: a broadcast frames once

    def direct(eio_sid):
        """The `_Frames` to write a client's frames into now, or None: it takes the libraries' path."""
        s = sockets.get(eio_sid)
        frames = getattr(s, FRAMES_ATTR, None)
        if frames is not None and s.upgraded and not s.upgrading and not s.closing and not s.closed \
                and s.queue.empty():
            return frames
        return None

    def send(eio_sid, pkt):
        frames = direct(eio_sid)
        if frames is not None and not pkt.binary:
            if last[0] is not pkt:
                last[:] = pkt, _text_frame(pkt.encode())
            if frames.offer(last[1]):
                return
        slow_send(eio_sid, pkt)

    manager = server.manager

    def fan_out(messages):
        """A command's messages, [(event, data, rooms)], to this process's clients, in order, each
        client's share in ONE write, framed once per combination of messages (the call first in
        it). Most of a broadcast's cost is the `send` itself, and a command has three to six
        messages: a `call-next` costs each screen one send. Sending the call alone first and the
        rest after (two sends) was measured slower for the last screen's call, not faster: with
        1,000 screens over two processes on two cores, p99 20–24 ms against 14–15 ms in one
        write (bench/realtime.py), since the second round of sends takes the CPU the other
        process needs for its calls."""
        if on_broadcast is not None:
            on_broadcast()
        packets, frames, wanted = [], [], {}     # wanted: eio sid → indices of its messages, in order
        for i, (event, data, rooms) in enumerate(messages):
            pkt = eio_packet.Packet(eio_packet.MESSAGE,
                                    server.packet_class(sio_packet.EVENT, namespace="/", data=[event, data]).encode())
            packets.append(pkt)
            frames.append(None)
            for _, eio_sid in manager.get_participants("/", rooms):
                wanted.setdefault(eio_sid, []).append(i)
        joined = {}
        for eio_sid, mine in wanted.items():
            writer = direct(eio_sid)
            if writer is not None:
                key = tuple(mine)
                data = joined.get(key)
                if data is None:
                    for i in mine:
                        if frames[i] is None:
                            frames[i] = _text_frame(packets[i].encode())
                    data = joined[key] = b"".join(frames[i] for i in mine)
                if writer.offer(data):
                    continue
            for i in mine:
                slow_send(eio_sid, packets[i])

    server._send_eio_packet = send
    setattr(server, FAN_OUT_ATTR, fan_out)
    return True


def serve(app, host, port):
    """Serve `app` (and its Socket.IO) until interrupted. Needs gevent's monkey patching first."""
    sio = app.extensions["socketio"]
    collector = QuietCollector()
    install_fanout(sio, collector.busy)
    gevent.spawn(collector.run, gevent.sleep)
    if not sio.server.manager_initialized:
        # the message queue listens from the start (python-socketio waits for the first client):
        # a screen's snapshot is then never older than what the queue brings it next
        sio.server.manager_initialized = True
        sio.server.manager.initialize()
    if "voice" in app.extensions:
        # the default voice pack, built if it is missing, while the hall already serves (a clip
        # needed meanwhile is made on its own)
        gevent.spawn(app.extensions["voice"].prepare)
    server = _NoDelayServer((host, port), app, handler_class=_Handler,
                            log=None, error_log=logging.getLogger("hall.server"))
    server.serve_forever()
