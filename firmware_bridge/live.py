"""The hall's Socket.IO pushes for one centre, kept in a `CentreView` (CONTRACT.md, "Socket.IO").

Connects with `auth={"center": ID, "token": BRIDGE_TOKEN}` (the token puts the bridge in the
centre's staff room, which also hears `ticket` messages: that is how the bridge learns which
ticket an evaluator should rate when a service ends at the staff console rather than on the
keypad). Reconnects itself with back-off; every (re)connection starts from the snapshot the hall
sends. A gap in `seq` asks for a snapshot.
"""
import logging

import socketio

from .link_thread import LinkThread, disconnect_quietly
from .model import SeqTracker
from .port import Backoff

log = logging.getLogger(__name__)


class LiveLink(LinkThread):
    def __init__(self, url, center, token, view, on_change, on_finished, on_online,
                 reconnect_min_s=0.2, reconnect_max_s=5.0, fetch=None):
        self.url, self.center, self.token = url, center, token
        self.fetch = fetch              # GET /api/v1/centers/<c>, for when Socket.IO cannot connect
        self.view = view
        self.on_change, self.on_finished, self.on_online = on_change, on_finished, on_online
        self.backoff = Backoff(reconnect_min_s, reconnect_max_s)
        self.tracker = SeqTracker()
        self.counters = dict(connects=0, messages=0, ignored=0, gaps=0, fallbacks=0)
        self._init_thread(f"live {self.center}")

    @property
    def connected(self):
        return self.view.online

    def _client(self):
        # reconnection is ours (with back-off, and a fresh snapshot each time), not the library's
        sio = socketio.Client(reconnection=False, handle_sigint=False)
        sio.on("connect", self._on_connect)
        sio.on("disconnect", self._on_disconnect)
        sio.on("snapshot", self._on_snapshot)
        for name in ("call", "window", "queue", "ticket", "seq"):
            sio.on(name, self._handler(name))
        return sio

    def _run(self):
        while not self._stop.is_set():
            self.sio = self._client()
            # the hall sends its snapshot from its connect handler, before `connect` fires here
            self.tracker = SeqTracker()
            self._gone.clear()
            try:
                self.sio.connect(self.url, auth={"center": self.center, "token": self.token},
                                 transports=["websocket"], wait_timeout=5)
            except Exception as e:   # noqa: BLE001 - socketio raises ConnectionError and more
                delay = self.backoff.failed()
                log.info("Socket.IO to %s (%s) failed: %s; again in %.1f s", self.url, self.center, e, delay)
                self._fallback()
                self._stop.wait(delay)
                continue
            self.backoff.succeeded()
            self._gone.wait()
            disconnect_quietly(self.sio)
            if not self._stop.is_set():
                self._stop.wait(self.backoff.failed())

    def _fallback(self):
        """Socket.IO will not connect: if plain HTTP reaches the hall, keep the picture from it.

        Key presses go over HTTP, so while it answers the keypads must not say 系统离线; the
        displays follow the hall at the pace of the reconnection attempts instead of at once.
        """
        if self.fetch is None:
            return
        try:
            status, data = self.fetch(self.center)
        except Exception:   # noqa: BLE001 - HallUnreachable, or anything odd: the hall is away
            status, data = None, None
        if status == 200 and isinstance(data, dict):
            self.counters["fallbacks"] += 1
            was = self.view.online
            self.view.apply_center(data)
            if not was:
                self.on_online(self.center, True)
            self.on_change()
        elif self.view.online:
            self.view.online = False
            self.on_online(self.center, False)
            self.on_change()

    def _on_connect(self):
        self.counters["connects"] += 1

    def _on_disconnect(self, *_):
        was = self.view.online
        self.view.online = False
        self._gone.set()
        if was:
            log.warning("lost the hall's Socket.IO for %s", self.center)
            self.on_online(self.center, False)
            self.on_change()

    def _on_snapshot(self, msg):
        if not isinstance(msg, dict):
            return
        self.tracker.snapshot(msg)
        was = self.view.online
        finished = self.view.apply_snapshot(msg)
        if not was:
            self.on_online(self.center, True)
        for t in finished:
            self.on_finished(self.center, t)
        self.on_change()

    def _handler(self, name):
        apply = {"call": self.view.apply_call, "window": self.view.apply_window, "queue": self.view.apply_queue,
                 "ticket": self.view.apply_ticket, "seq": None}[name]

        def handle(msg):
            if not isinstance(msg, dict):
                return
            self.counters["messages"] += 1
            verdict = self.tracker.accept(msg, call=name == "call") if name != "ticket" else "apply"
            if verdict == "gap":
                self.counters["gaps"] += 1
                self.sio.emit("snapshot", {"since": self.tracker.v})
                return
            if verdict == "ignore":
                self.counters["ignored"] += 1
                return
            if apply is None:
                return
            try:
                result = apply(msg)
            except (KeyError, TypeError, ValueError):
                log.warning("ignoring a malformed %s message: %r", name, msg)
                return
            for t in result or ():
                self.on_finished(self.center, t)
            self.on_change()
        return handle
