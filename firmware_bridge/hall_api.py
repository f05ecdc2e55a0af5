"""The hall's HTTP API as the bridge uses it (CONTRACT.md), with the bridge's device token.

`HallUnreachable` means the request may not have reached the hall, or its answer did not come
back: the caller decides what that means (a key press is refused, an evaluation is kept).
"""
import threading

import requests

CONNECT_TIMEOUT_S = 1.0
READ_TIMEOUT_S = 5.0


class HallUnreachable(Exception):
    pass


class HallApi:
    def __init__(self, url, tokens, connect_timeout=CONNECT_TIMEOUT_S, read_timeout=READ_TIMEOUT_S):
        self.url, self.tokens = url.rstrip("/"), dict(tokens)
        self.timeout = (connect_timeout, read_timeout)
        self._local = threading.local()

    def _session(self):
        s = getattr(self._local, "session", None)
        if s is None:
            s = self._local.session = requests.Session()
        return s

    def _request(self, method, center, path, body=None):
        headers = {"Authorization": f"Bearer {self.tokens[center]}"} if center in self.tokens else {}
        try:
            r = self._session().request(method, f"{self.url}/api/v1{path}", json=body, headers=headers,
                                        timeout=self.timeout)
        except requests.RequestException as e:
            raise HallUnreachable(f"{method} {path}: {e.__class__.__name__}") from None
        try:
            data = r.json() if r.content else None
        except ValueError:
            data = None
        return r.status_code, data

    def act(self, center, window, action, body=None):
        """A window action (call-next, recall, start, finish, no-show, transfer, pause, resume, open, close)."""
        return self._request("POST", center, f"/centers/{center}/windows/{window}/{action}", body or {})

    def evaluate(self, center, ticket, score):
        return self._request("POST", center, f"/tickets/{ticket}/evaluation", {"score": score})

    def report(self, center, device, status, detail=None):
        return self._request("POST", center, f"/centers/{center}/devices/status",
                             {"device": device, "status": status, "detail": detail[:200] if detail else None})

    def center(self, center):
        return self._request("GET", center, f"/centers/{center}")
