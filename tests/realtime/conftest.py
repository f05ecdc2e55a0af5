"""Socket.IO clients for the real-time tests: in-process test clients and real ones over loopback."""
import threading
import time

import pytest
import requests
import socketio


@pytest.fixture
def sio_client(app):
    """A factory of in-process Socket.IO test clients (no network); all disconnected afterwards."""
    made = []

    def make(**auth):
        c = app.extensions["socketio"].test_client(app, auth=auth)
        made.append(c)
        return c
    yield make
    for c in made:
        if c.is_connected():
            c.disconnect()


def names(received):
    return [m["name"] for m in received]


class Listener:
    """A real python-socketio client that records every server event, in arrival order."""

    def __init__(self, url, **auth):
        self.url, self.auth = url, auth
        self.events = []
        self.refused = None
        self._cond = threading.Condition()
        self.client = socketio.Client(reconnection=False)

        @self.client.on("*")
        def record(event, data):
            with self._cond:
                self.events.append((event, data))
                self._cond.notify_all()

        @self.client.event
        def connect_error(data):
            with self._cond:
                self.refused = data
                self._cond.notify_all()

    def connect(self, **more):
        self.client.connect(self.url, auth={**self.auth, **more}, transports=["websocket"], wait_timeout=10)
        return self

    def disconnect(self):
        if self.client.connected:
            self.client.disconnect()

    def of(self, name):
        with self._cond:
            return [d for n, d in self.events if n == name]

    def wait_for(self, predicate, timeout=10, what="the expected events"):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = predicate(self)
                if result:
                    return result
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"timed out waiting for {what}; got {[n for n, _ in self.events]}")
                self._cond.wait(left)

    def calls(self):
        return self.of("call")

    def views(self, kind):
        """Every `window` or `queue` view heard, in order."""
        return self.of(kind)


@pytest.fixture
def listeners():
    made = []

    def make(url, **auth):
        lst = Listener(url, **auth)
        made.append(lst)
        return lst
    yield make
    for lst in made:
        lst.disconnect()


class Api:
    """Loopback HTTP to a real `hall serve`, as the kiosk and the window's keypad bridge."""

    def __init__(self, server, tokens=None, center="east"):
        self.base = f"{server.url}/api/v1/centers/{center}"
        self.tokens = tokens or server.tokens
        self.center = center
        self.http = requests.Session()

    def _h(self, name):
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def issue(self, queue="general"):
        r = self.http.post(f"{self.base}/tickets", json={"queue": queue}, headers=self._h(f"kiosk-{self.center}"))
        assert r.status_code == 201, r.text
        return r.json()

    def window(self, number, action, **body):
        r = self.http.post(f"{self.base}/windows/{number}/{action}", json=body,
                           headers=self._h(f"bridge-{self.center}"))
        assert r.status_code in (200, 204), r.text
        return r.json() if r.status_code == 200 else None


@pytest.fixture
def east_server(hall_server):
    """One real `hall serve` with centre east (always open) and window 1 open."""
    server = hall_server().start()
    Api(server).window(1, "open")
    return server
