"""Notices to citizens who track a ticket: "N ahead of you" once, and "please go to window 3".

The gateway's listener hook only drops the command's events on a queue (it runs under the
centre lock, and a slow WeChat API must never hold up a call); a background worker reads the
subscriptions (`subscriptions.py`), looks at the centre, claims each notice once and hands it
to the channel's sender:

- `wechat`: `WeChatApi` — access token fetched from `/cgi-bin/token` and cached until shortly
  before it expires, refreshed and retried once when WeChat says it is invalid or expired
  (40001, 40014, 42001), transient failures (network, HTTP 5xx, -1 busy) retried with backoff,
  every failure logged. Message kinds: `subscribe` (service account subscribe message,
  `/cgi-bin/message/subscribe/bizsend`), `miniprogram` (`/cgi-bin/message/subscribe/send`),
  `template` (`/cgi-bin/message/template/send`).
- `sms`: the `SmsSender` interface; `OutboxSms` writes one JSON line per message to a file that
  a carrier's gateway process sends from (and the demo shows). A real carrier client implements
  `send(phone, text)`.

Settings: WECHAT_APPID, WECHAT_SECRET (both: the wechat channel is on), WECHAT_API (base URL),
WECHAT_MESSAGE_KIND, WECHAT_TEMPLATE_NEAR, WECHAT_TEMPLATE_CALLED, WECHAT_TEMPLATE_FIELDS (JSON:
our field → the template's key), NOTIFY_AHEAD (N), SMS_OUTBOX (a file: the sms channel is on).
"""
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from .. import views
from ..core.errors import Refused
from ..core.state import WAITING
from ..text import text as words
from .privacy import is_phone
from .subscriptions import Subscription, open_registry
from .wechat_text import hhmm

log = logging.getLogger(__name__)

RELEVANT = ("ticket_issued", "ticket_called", "ticket_recalled", "ticket_cancelled", "ticket_finished",
            "ticket_no_show", "ticket_transferred", "ticket_started", "window_opened", "window_resumed")
TOKEN_ERRORS = (40001, 40014, 42001)
BUSY_ERRORS = (-1,)
MAX_PER_TICKET = {"wechat": 3, "sms": 1}
QUEUE_MAX = 10_000


class SendError(Exception):
    pass


@dataclass(frozen=True)
class Notice:
    kind: str            # "near" or "called"
    number: str
    center_name: str
    queue_name: str
    ahead: int = 0
    call_time: str = None
    window: int = None
    window_name: str = None
    url: str = None

    # in Chinese: a reminder goes to a phone whose reader's language the hall does not know
    def status(self):
        if self.kind == "called":
            return words("notify.go_window", window=self.window) if self.window is not None else words("status.called")
        s = words("notify.ahead", n=self.ahead)
        return s + (words("notify.call_around", t=self.call_time) if self.call_time else "")

    def text(self):
        if self.kind == "called":
            return words("notify.sms_called", centre=self.center_name, number=self.number, window=self.window,
                         queue=self.queue_name)
        return words("notify.sms_status", centre=self.center_name, number=self.number, status=self.status())


# --- WeChat ---

class WeChatApi:
    """The few WeChat server APIs we call, with a cached access token and careful retries."""

    def __init__(self, appid, secret, base="https://api.weixin.qq.com", timeout=3.0, attempts=3,
                 backoff_s=0.2, clock=time.time, sleep=time.sleep):
        self.appid, self.secret, self.base = appid, secret, base.rstrip("/")
        self.timeout, self.attempts, self.backoff_s, self.clock, self.sleep = timeout, attempts, backoff_s, clock, sleep
        self._token, self._token_until = None, 0.0
        self._lock = threading.Lock()

    def _http(self, method, path, params, payload=None):
        url = f"{self.base}{path}?{urllib.parse.urlencode(params)}"
        data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        req = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(req, timeout=self.timeout) as r:
            return json.loads(r.read().decode())

    def token(self, refresh=False):
        with self._lock:
            if refresh or self._token is None or self.clock() >= self._token_until:
                try:
                    got = self._http("GET", "/cgi-bin/token",
                                     {"grant_type": "client_credential", "appid": self.appid, "secret": self.secret})
                except (urllib.error.URLError, TimeoutError, OSError, ValueError) as e:
                    raise SendError(f"token: {type(e).__name__}: {e}") from None
                if "access_token" not in got:
                    raise SendError(f"token: {got.get('errcode')} {got.get('errmsg')}")
                life = int(got.get("expires_in", 7200))
                self._token = got["access_token"]
                # refresh well before WeChat does, so that no send races the expiry
                self._token_until = self.clock() + max(60, life - 300)
            return self._token

    def post(self, path, payload):
        """POST with the access token; the answer's JSON, or SendError after the retries."""
        refresh, last = False, None
        for attempt in range(self.attempts):
            if attempt and not refresh:
                self.sleep(self.backoff_s * (2 ** (attempt - 1)))
            try:
                token = self.token(refresh=refresh)
                got = self._http("POST", path, {"access_token": token}, payload)
            except (urllib.error.URLError, TimeoutError, OSError, ValueError) as e:
                last, refresh = f"{type(e).__name__}: {e}", False
                if isinstance(e, urllib.error.HTTPError) and e.code < 500:
                    break
                continue
            except SendError as e:
                last, refresh = str(e), False
                continue
            code = got.get("errcode", 0)
            if code == 0:
                return got
            last = f"{code} {got.get('errmsg')}"
            if code in TOKEN_ERRORS:
                refresh = True
                continue
            refresh = False
            if code not in BUSY_ERRORS:
                break
        raise SendError(f"{path}: {last}")


KIND_PATHS = {"subscribe": "/cgi-bin/message/subscribe/bizsend",
              "miniprogram": "/cgi-bin/message/subscribe/send",
              "template": "/cgi-bin/message/template/send"}
DEFAULT_FIELDS = {
    "subscribe": {"number": "character_string1", "center": "thing2", "status": "thing3", "queue": "thing4"},
    "miniprogram": {"number": "character_string1", "center": "thing2", "status": "thing3", "queue": "thing4"},
    "template": {"number": "keyword1", "center": "keyword2", "status": "keyword3", "queue": "keyword4"},
}
THING_MAX = 20          # WeChat's limit on a `thing` value


class WeChatSender:
    def __init__(self, api, kind="subscribe", templates=None, fields=None):
        if kind not in KIND_PATHS:
            raise ValueError(f"WECHAT_MESSAGE_KIND must be one of {', '.join(KIND_PATHS)}")
        self.api, self.kind = api, kind
        self.templates = templates or {}
        self.fields = {**DEFAULT_FIELDS[kind], **(fields or {})}

    def payload(self, openid, notice):
        template = self.templates.get(notice.kind)
        if not template:
            return None
        values = {"number": notice.number, "center": notice.center_name, "status": notice.status(),
                  "queue": notice.queue_name}
        data = {self.fields[k]: {"value": _fit(self.fields[k], v)} for k, v in values.items() if k in self.fields}
        body = {"touser": openid, "template_id": template, "data": data}
        if notice.url:
            body["page" if self.kind != "template" else "url"] = notice.url
        return body

    def send(self, openid, notice):
        body = self.payload(openid, notice)
        if body is None:
            log.info("no WeChat template for %s notices; skipped", notice.kind)
            return None
        return self.api.post(KIND_PATHS[self.kind], body)


def _fit(key, value):
    value = "" if value is None else str(value)
    return value[:THING_MAX] if key.startswith("thing") else value


# --- SMS ---

class SmsSender:
    """Send `text` to a mainland mobile number. Carriers' clients implement this."""

    def send(self, phone, notice):
        raise NotImplementedError


class OutboxSms(SmsSender):
    def __init__(self, path):
        self.path = path
        self._lock = threading.Lock()

    def send(self, phone, notice):
        line = json.dumps({"at": time.time(), "to": phone, "text": notice.text()}, ensure_ascii=False)
        with self._lock, open(self.path, "a", encoding="utf-8") as f:
            f.write(line + "\n")


# --- the notifier ---

class Notifier:
    def __init__(self, hall, registry, senders, ahead=3, base_url=None):
        self.hall, self.registry, self.senders, self.ahead = hall, registry, senders, int(ahead)
        self.base_url = base_url
        self._queue = queue.Queue(QUEUE_MAX)
        self._worker = None
        self._lock = threading.Lock()

    def has_channel(self, channel):
        return channel in self.senders

    # -- subscribing (requests) --

    def subscribe(self, ticket_id, channel, address):
        if channel not in self.senders:
            raise Refused("channel_unavailable", f"{channel} notifications are not set up here", 503)
        if channel == "sms" and not is_phone(address):
            raise Refused("bad_input", "a mainland mobile number, e.g. 13812345678", 400)
        with self.hall.reading_ticket(ticket_id) as (state, t):
            if t.status != WAITING:
                raise Refused("not_waiting", "this ticket is no longer waiting", 409)
            now = self.hall.clock()
        sub = Subscription(ticket_id, channel, address)
        if self.registry.count(ticket_id, channel) >= MAX_PER_TICKET[channel] and \
                sub not in self.registry.for_center(sub.center):
            raise Refused("too_many_subscriptions", "this ticket already has its reminders", 409)
        self.registry.add(sub, now)
        # the citizen may already be near the front: look now rather than at the next call
        self._enqueue(state.id, [])
        return sub

    def forget(self, channel, address):
        self.registry.forget(channel, address)

    # -- the gateway hook (under the centre lock: only a queue put) --

    def listener(self, cid, events, state):
        if any(e["type"] in RELEVANT for e in events):
            self._enqueue(cid, [(e["type"], e.get("ticket"), e.get("seq")) for e in events
                                if e["type"] in ("ticket_called", "ticket_recalled")])

    def _enqueue(self, cid, calls):
        try:
            self._queue.put_nowait((cid, calls))
        except queue.Full:
            log.warning("notification queue full; dropping a batch for %s", cid)
            return
        if self._worker is None:
            with self._lock:
                if self._worker is None:
                    self._worker = threading.Thread(target=self._run, name="hall-notify", daemon=True)
                    self._worker.start()

    def _run(self):
        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self.process(*job)
            except Exception:  # noqa: BLE001 - a notice is never worth the worker
                log.exception("notifications for %s failed", job[0])
            finally:
                self._queue.task_done()

    def drain(self, timeout=10.0):
        """Wait until every queued batch is processed (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def close(self):
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(5)
        self.registry.close()

    # -- the work (background) --

    def process(self, cid, calls):
        """Send what the centre's present state and these calls mean to its subscribers."""
        subs = self.registry.for_center(cid)
        if not subs:
            return
        called = {tid: (kind, seq) for kind, tid, seq in calls}
        notices = []
        try:
            with self.hall.reading(cid) as state:
                now = self.hall.clock()
                for sub in subs:
                    t = state.tickets.get(sub.ticket)
                    if t is None:
                        continue
                    shown = views.ticket(state, t, self.hall.waits(state))
                    n = self._notice(shown, state.config.timezone, now, sub.ticket in called)
                    if n is not None:
                        what = f"called:{called[sub.ticket][1]}" if n.kind == "called" else "near"
                        notices.append((sub, what, n))
        except Refused:
            return
        for sub, what, n in notices:
            if not self.registry.claim(sub, what, now):
                continue
            try:
                self.senders[sub.channel].send(sub.address, n)
            except Exception as e:  # noqa: BLE001 - logged; the ticket and the call go on
                log.warning("notice %s for %s over %s failed: %s", what, sub.ticket, sub.channel, e)

    def _notice(self, t, tz, now, just_called):
        url = f"{self.base_url}/m/tickets/{t['id']}" if self.base_url else None
        common = dict(number=t["number"], center_name=t["center_name"], queue_name=t["queue_name"], url=url)
        if just_called and t["status"] == "called":
            return Notice("called", window=t["window"], window_name=t["window_name"], **common)
        if t["status"] == WAITING and t["ahead"] <= self.ahead:
            call_time = hhmm(now + t["est_wait_s"], tz) if t["est_wait_s"] is not None else None
            return Notice("near", ahead=t["ahead"], call_time=call_time, **common)
        return None


def init_app(app):
    """Set up the channels the config names; without any, there is no notifier (and no thread)."""
    cfg = app.config
    senders = {}
    if cfg.get("WECHAT_APPID") and cfg.get("WECHAT_SECRET"):
        fields = cfg.get("WECHAT_TEMPLATE_FIELDS")
        if isinstance(fields, str):
            fields = json.loads(fields)
        api = WeChatApi(cfg["WECHAT_APPID"], cfg["WECHAT_SECRET"], cfg.get("WECHAT_API") or "https://api.weixin.qq.com")
        senders["wechat"] = WeChatSender(api, cfg.get("WECHAT_MESSAGE_KIND") or "subscribe",
                                         {"near": cfg.get("WECHAT_TEMPLATE_NEAR"),
                                          "called": cfg.get("WECHAT_TEMPLATE_CALLED")}, fields)
    if cfg.get("SMS_OUTBOX"):
        senders["sms"] = OutboxSms(cfg["SMS_OUTBOX"])
    if not senders:
        return None
    hall = app.extensions["hall"]
    notifier = Notifier(hall, open_registry(cfg["DATA_DIR"], app.extensions.get("redis")), senders,
                        ahead=3 if cfg.get("NOTIFY_AHEAD") in (None, "") else int(cfg["NOTIFY_AHEAD"]),
                        base_url=(cfg.get("PUBLIC_URL") or "").rstrip("/") or None)
    hall.listen("publish", notifier.listener)
    app.extensions["notify"] = notifier
    return notifier
