"""A local stand-in for WeChat's API server (api.weixin.qq.com), on loopback, speaking the real
request and answer shapes of the calls Hall makes:

GET  /cgi-bin/token?grant_type=client_credential&appid=APPID&secret=APPSECRET
     → {"access_token": "...", "expires_in": 7200}, or {"errcode": 40013|40125|40002, "errmsg": ...}
POST /cgi-bin/message/subscribe/bizsend?access_token=TOKEN   (service account subscribe message)
POST /cgi-bin/message/subscribe/send?access_token=TOKEN      (mini program subscribe message)
POST /cgi-bin/message/template/send?access_token=TOKEN       (template message; answers a msgid)
     → {"errcode": 0, "errmsg": "ok"}; 40001 for a token it never gave or revoked, 42001 for an
       expired one, 47001 for a body that is not {touser, template_id, data: {key: {value}}}

Test controls: expire_tokens(), revoke_tokens(), fail_next(n, errcode), http_error_next(n),
delay (seconds before answering a send), and what it received in `sent`.
"""
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

SEND_PATHS = ("/cgi-bin/message/subscribe/bizsend", "/cgi-bin/message/subscribe/send",
              "/cgi-bin/message/template/send")


class FakeWeChat:
    def __init__(self, appid="wx1234567890abcdef", secret="s3cret-app-secret"):
        self.appid, self.secret = appid, secret
        self.tokens = {}                  # token → "ok" | "expired" | "revoked"
        self.token_requests = 0
        self.send_requests = 0
        self.sent = []                    # (path, body) of accepted sends
        self.failures = []                # errcodes to answer the next sends with
        self.http_errors = 0
        self.delay = 0.0
        self.lock = threading.Lock()
        self.delivered = threading.Condition(self.lock)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _answer(self, obj, status=200):
                body = json.dumps(obj, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; encoding=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                u = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                if u.path != "/cgi-bin/token":
                    return self._answer({"errcode": 48001, "errmsg": "api unauthorized"})
                with fake.lock:
                    fake.token_requests += 1
                if q.get("grant_type") != "client_credential":
                    return self._answer({"errcode": 40002, "errmsg": "invalid grant_type"})
                if q.get("appid") != fake.appid:
                    return self._answer({"errcode": 40013, "errmsg": "invalid appid"})
                if q.get("secret") != fake.secret:
                    return self._answer({"errcode": 40125, "errmsg": "invalid appsecret"})
                token = secrets.token_urlsafe(48)
                with fake.lock:
                    fake.tokens[token] = "ok"
                return self._answer({"access_token": token, "expires_in": 7200})

            def do_POST(self):
                u = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if fake.delay:
                    time.sleep(fake.delay)
                with fake.lock:
                    fake.send_requests += 1
                    if fake.http_errors:
                        fake.http_errors -= 1
                        status = 502
                    else:
                        status = None
                if status:
                    return self._answer({"errmsg": "bad gateway"}, status)
                if u.path not in SEND_PATHS:
                    return self._answer({"errcode": 48001, "errmsg": "api unauthorized"})
                with fake.lock:
                    state = fake.tokens.get(q.get("access_token"))
                if state is None or state == "revoked":
                    return self._answer({"errcode": 40001, "errmsg": "invalid credential, access_token is invalid "
                                                                      "or not latest"})
                if state == "expired":
                    return self._answer({"errcode": 42001, "errmsg": "access_token expired"})
                try:
                    body = json.loads(raw.decode("utf-8"))
                    ok = isinstance(body.get("touser"), str) and isinstance(body.get("template_id"), str) and \
                        isinstance(body.get("data"), dict) and \
                        all(isinstance(v, dict) and isinstance(v.get("value"), str) for v in body["data"].values())
                except (ValueError, UnicodeDecodeError, AttributeError):
                    ok = False
                if not ok:
                    return self._answer({"errcode": 47001, "errmsg": "data format error"})
                with fake.lock:
                    if fake.failures:
                        code = fake.failures.pop(0)
                        return self._answer({"errcode": code, "errmsg": {-1: "system error",
                                                                         43101: "user refuse to accept the msg"}
                                             .get(code, "error")})
                    fake.sent.append((u.path, body))
                    fake.delivered.notify_all()
                answer = {"errcode": 0, "errmsg": "ok"}
                if u.path.endswith("template/send"):
                    answer["msgid"] = 200228332
                return self._answer(answer)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def expire_tokens(self):
        with self.lock:
            self.tokens = {t: "expired" for t in self.tokens}

    def revoke_tokens(self):
        with self.lock:
            self.tokens = {t: "revoked" for t in self.tokens}

    def fail_next(self, n, errcode=-1):
        with self.lock:
            self.failures.extend([errcode] * n)

    def http_error_next(self, n):
        with self.lock:
            self.http_errors += n

    def wait_sent(self, n, timeout=10):
        """Block until `n` messages were accepted (or the timeout); returns them."""
        with self.delivered:
            self.delivered.wait_for(lambda: len(self.sent) >= n, timeout)
            return list(self.sent)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
