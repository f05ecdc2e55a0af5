"""The agent's two ways to the hall, both outbound with the kiosk's device token.

HTTP for what the agent tells the hall (a card read, a print's outcome, its devices' health);
Socket.IO (`auth={"center", "token", "agent": true}`) for what the hall asks of it: `print` jobs.
The Socket.IO connection is the agent's own: it reconnects with back-off, and a job that arrives
twice (a reconnection) is handled by the agent once.
"""
import logging
import threading

import requests
import socketio

from firmware_bridge.link_thread import LinkThread, disconnect_quietly

log = logging.getLogger(__name__)


class HallUnreachable(Exception):
    pass


class Link(LinkThread):
    def __init__(self, url, center, token, on_print, on_online=None, connect_timeout=1.0, read_timeout=5.0,
                 reconnect_min_s=0.2, reconnect_max_s=5.0):
        self.url, self.center, self.token = url.rstrip("/"), center, token
        self.on_print = on_print
        self.on_online = on_online or (lambda online: None)
        self.timeout = (connect_timeout, read_timeout)
        self.reconnect_min_s, self.reconnect_max_s = reconnect_min_s, reconnect_max_s
        self.online = False
        self.connects = 0
        self._session = requests.Session()
        self._session.headers["Authorization"] = f"Bearer {token}"
        self._http_lock = threading.Lock()
        self._init_thread("kiosk agent link")

    # --- HTTP ---

    def post(self, path, body):
        """(status, JSON) of a POST under /kiosk/<centre>; HallUnreachable when it may not have arrived."""
        try:
            with self._http_lock:      # one requests.Session is not for several threads at once
                r = self._session.post(f"{self.url}/kiosk/{self.center}{path}", json=body, timeout=self.timeout)
        except requests.RequestException as e:
            raise HallUnreachable(f"POST {path}: {e.__class__.__name__}") from None
        try:
            return r.status_code, (r.json() if r.content else None)
        except ValueError:
            return r.status_code, None

    # --- Socket.IO ---

    def _run(self):
        delay = self.reconnect_min_s
        while not self._stop.is_set():
            sio = self.sio = socketio.Client(reconnection=False, handle_sigint=False)
            sio.on("disconnect", self._disconnected)
            sio.on("print", self._print)
            self._gone.clear()
            try:
                sio.connect(self.url, auth={"center": self.center, "token": self.token, "agent": True},
                            transports=["websocket"], wait_timeout=5)
            except Exception as e:   # noqa: BLE001 - socketio raises ConnectionError and more
                log.info("Socket.IO to %s failed: %s; again in %.1f s", self.url, e, delay)
                self._stop.wait(delay)
                delay = min(self.reconnect_max_s, delay * 2)
                continue
            delay = self.reconnect_min_s
            self.connects += 1
            self._set_online(True)
            self._gone.wait()
            disconnect_quietly(sio)
            self._set_online(False)
            if not self._stop.is_set():
                self._stop.wait(delay)

    def _disconnected(self, *_):
        self._gone.set()

    def _print(self, job):
        if isinstance(job, dict) and isinstance(job.get("job"), str):
            self.on_print(job)

    def _set_online(self, online):
        if online != self.online:
            self.online = online
            log.info("the hall's Socket.IO %s", "connected" if online else "lost")
            self.on_online(online)
