"""The broadcast's direct writes (`hall.server`): bytes reach a socket whole and in order.

Real gevent sockets (a connected pair with small buffers), so that sends are taken in part and
writers block, as they do for a screen that reads slowly.
"""
import socket

import gevent
import gevent.socket
import pytest

from hall.message_queue import FAN_OUT_ATTR
from hall.server import _Frames, _text_frame, install_fanout


@pytest.fixture
def pair():
    a, b = gevent.socket.socketpair()
    a.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    b.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    yield a, b
    a.close()
    b.close()


def drain_some(sock, n=20_000):
    """Read what is there without letting another greenlet run, to make room in the buffers."""
    got = b""
    while len(got) < n:
        try:
            got += sock._sock.recv(n - len(got))
        except BlockingIOError:
            break
    return got


def read_exactly(sock, n):
    out = bytearray()
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        assert chunk, "the writer's side closed early"
        out += chunk
    return bytes(out)


def test_a_frame_taken_in_part_is_finished_before_anything_else(pair):
    a, b = pair
    frames = _Frames(a)
    big = b"A" * 300_000            # far beyond both buffers: the kernel takes only part of it
    assert frames.offer(big)        # offered, started, its tail left to a greenlet of its own
    head = drain_some(b)            # room again, but the tail is still pending:
    assert head
    assert not frames.offer(b"B")   # ... so this one must take the queue
    late = gevent.spawn(frames.write, b"C" * 1000)
    reader = gevent.spawn(read_exactly, b, len(big) - len(head) + 1000)
    gevent.joinall([late, reader], timeout=10, raise_error=True)
    assert head + reader.value == big + b"C" * 1000
    assert frames.offer(b"D")       # nothing pending any more: written at once, whole
    assert read_exactly(b, 1) == b"D"


def test_writers_waiting_for_their_turn_are_not_overtaken(pair):
    a, b = pair
    frames = _Frames(a)
    first = gevent.spawn(frames.write, b"1" * 300_000)     # blocks: nobody reads yet
    second = gevent.spawn(frames.write, b"2" * 10)         # waits for the first
    gevent.sleep(0.05)
    assert not first.ready() and not second.ready()
    head = drain_some(b)            # room again, and neither writer has run since
    assert head
    assert not frames.offer(b"x")
    reader = gevent.spawn(read_exactly, b, 300_010 - len(head))
    gevent.joinall([first, second, reader], timeout=10, raise_error=True)
    assert head + reader.value == b"1" * 300_000 + b"2" * 10
    assert frames.offer(b"3")
    assert read_exactly(b, 1) == b"3"


def test_a_dead_socket_is_left_to_the_libraries(pair):
    a, b = pair
    frames = _Frames(a)
    b.close()
    offered = [frames.offer(b"z" * 100) for _ in range(3)]
    assert offered[-1] is False     # broken pipe: refused, not raised, so the slow path decides


def test_text_frames_are_what_a_websocket_client_decodes():
    import websocket
    payload = '42["call",{"ticket":"A001","window":"1号窗口"}]'
    frame = _text_frame(payload)
    unmasked = websocket.ABNF(1, 0, 0, 0, websocket.ABNF.OPCODE_TEXT, 0, payload.encode())
    assert frame == unmasked.format()   # a server's frames are not masked
    long = "长" * 50_000               # a 64-bit length header
    assert _text_frame(long)[:2] == b"\x81\x7f" and _text_frame(long)[10:] == long.encode()


def test_the_fast_path_installs_on_the_libraries_in_use(tmp_path):
    """Fails when an upgrade of python-socketio/engine.io removes what the fast path leans on."""
    import subprocess
    import sys
    code = ("from gevent import monkey; monkey.patch_all()\n"
            "import logging, sys\n"
            "from hall.app import create_app\n"
            "from hall.server import install_fanout\n"
            "app = create_app()\n"
            "from hall.message_queue import FAN_OUT_ATTR\n"
            "server = app.extensions['socketio'].server\n"
            "sys.exit(0 if install_fanout(app.extensions['socketio']) and getattr(server, FAN_OUT_ATTR) else 3)\n")
    env = {"HALL_DATA_DIR": str(tmp_path / "data"), "HALL_SECRET_KEY": "k", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_no_fast_path_outside_gevent(app):
    assert install_fanout(app.extensions["socketio"]) is False
    assert not hasattr(app.extensions["socketio"].server, FAN_OUT_ATTR)    # batches take the libraries' path
