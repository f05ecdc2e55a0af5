"""The Official Account's server URL, `/wechat`: GET verification, POST messages.

Security, in the order a request meets it:
1. Signature: `signature` (plaintext mode) or `msg_signature` over the encrypted body (safe mode,
   `encrypt_type=aes`); a bad one is 403.
2. Freshness: the timestamp must be within `TIMESTAMP_WINDOW_S` of our clock (403 when stale).
3. Replay: a signed (timestamp, nonce) pair carries exactly one body. In plaintext mode the
   signature does not cover the body, so a captured query with another body is the attack
   this stops (403); the same pair with the same body (a resend) is answered as a retry.
4. Safe mode: AES with the EncodingAESKey, the sealed AppID must be ours; the previous key
   is still accepted until `WECHAT_AES_KEY_PREVIOUS_UNTIL` (default: a day after start-up), so
   messages sealed before a key change still open, and are answered with the key they used.
5. Retries: WeChat resends a message it got no answer to within 5 s (up to three times). A message
   (by `MsgId`; an event by sender and `CreateTime`) is answered once: the reply is kept and a
   retry gets the same one; a retry that arrives while the first is still being answered waits
   for it, and gets "success" (WeChat's "no reply") if it does not come in time.

Settings (app config, or HALL_ + the name in the environment): WECHAT_TOKEN (required, else the
URL answers 404), WECHAT_APPID, WECHAT_AES_KEY (safe mode when set), WECHAT_AES_KEY_PREVIOUS,
WECHAT_AES_KEY_PREVIOUS_UNTIL (epoch seconds or an ISO date-time), PUBLIC_URL.
"""
import hashlib
import logging
import math
import secrets
import time
from datetime import datetime
from xml.etree.ElementTree import ParseError

from defusedxml import ElementTree as SafeET
from defusedxml.common import DefusedXmlException
from flask import Blueprint, Response, current_app, jsonify, request

from .. import nearby, views
from ..core.errors import Refused
from ..text import text as say
from . import wechat_text as text
from .memo import open_memo
from .wechat_crypto import CryptoError, aes_key, decrypt, encrypt, signature, signature_ok

# a location message answers with the nearest centres' waits: the board's first lines, as many as fit
NEAR_CENTRES = 10

log = logging.getLogger(__name__)

bp = Blueprint("wechat", __name__)

TIMESTAMP_WINDOW_S = 300
NONCE_TTL_S = 2 * TIMESTAMP_WINDOW_S
REPLY_TTL_S = 120               # WeChat's three retries come within ~15 s
RETRY_WAIT_S = 4.0              # inside WeChat's 5 s
PREVIOUS_KEY_DEFAULT_S = 86400
NO_REPLY = "success"


class Account:
    """The Official Account's settings, checked once when the app is built."""

    def __init__(self, token, appid, keys):
        self.token, self.appid, self.keys = token, appid, keys     # keys: [(32 bytes, until or None)]

    @property
    def safe(self):
        return bool(self.keys)

    def usable_keys(self, now):
        return [k for k, until in self.keys if until is None or now < until]

    @classmethod
    def from_config(cls, config, now):
        token = config.get("WECHAT_TOKEN")
        if not token:
            return None
        keys = []
        if config.get("WECHAT_AES_KEY"):
            if not config.get("WECHAT_APPID"):
                raise ValueError("HALL_WECHAT_APPID is needed with HALL_WECHAT_AES_KEY (safe mode)")
            keys.append((aes_key(config["WECHAT_AES_KEY"]), None))
            if config.get("WECHAT_AES_KEY_PREVIOUS"):
                until = _until(config.get("WECHAT_AES_KEY_PREVIOUS_UNTIL"), now)
                keys.append((aes_key(config["WECHAT_AES_KEY_PREVIOUS"]), until))
        return cls(token, config.get("WECHAT_APPID"), keys)


def _until(value, now):
    if value in (None, ""):
        log.warning("HALL_WECHAT_AES_KEY_PREVIOUS has no _UNTIL: accepted for a day from now")
        return now + PREVIOUS_KEY_DEFAULT_S
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except ValueError:
        return datetime.fromisoformat(value).timestamp()


def init_app(app):
    hall = app.extensions["hall"]
    app.extensions["wechat"] = {"account": Account.from_config(app.config, hall.clock()),
                                "memo": open_memo(app.extensions.get("redis"))}
    app.register_blueprint(bp)


# --- the endpoint ---

def _refuse(status, code, message):
    r = jsonify({"error": {"code": code, "message": message}})
    r.status_code = status
    return r


def _fresh(ts, now):
    try:
        return abs(now - int(ts)) <= TIMESTAMP_WINDOW_S
    except (TypeError, ValueError):
        return False


def _fields(xml_bytes):
    """The top-level elements of a WeChat XML message as {tag: text}; ValueError if not XML."""
    try:
        root = SafeET.fromstring(xml_bytes)
    except (ParseError, DefusedXmlException) as e:
        raise ValueError(str(e)) from None
    return {child.tag: (child.text or "") for child in root}


@bp.route("/wechat", methods=["GET", "POST"])
def endpoint():
    ext = current_app.extensions["wechat"]
    acct, memo = ext["account"], ext["memo"]
    if acct is None:
        return _refuse(404, "not_configured", "the Official Account is not configured (HALL_WECHAT_TOKEN)")
    hall = current_app.extensions["hall"]
    now = hall.clock()
    args = request.args
    ts, nonce = args.get("timestamp", ""), args.get("nonce", "")

    if request.method == "GET":
        if not signature_ok(args.get("signature"), acct.token, ts, nonce):
            return _refuse(403, "bad_signature", "signature does not match")
        if not _fresh(ts, now):
            return _refuse(403, "stale", "timestamp outside the accepted window")
        return Response(args.get("echostr", ""), mimetype="text/plain")

    raw = request.get_data(cache=True)
    safe = args.get("encrypt_type") == "aes"
    try:
        outer = _fields(raw)
    except ValueError:
        return _refuse(400, "bad_xml", "the body is not a WeChat XML message")
    if safe:
        if not acct.safe:
            return _refuse(400, "not_safe_mode", "safe mode is not configured here (HALL_WECHAT_AES_KEY)")
        sealed = outer.get("Encrypt")
        if not sealed:
            return _refuse(400, "bad_xml", "no <Encrypt> in a safe-mode message")
        if not signature_ok(args.get("msg_signature"), acct.token, ts, nonce, sealed):
            return _refuse(403, "bad_signature", "msg_signature does not match")
    elif not signature_ok(args.get("signature"), acct.token, ts, nonce):
        return _refuse(403, "bad_signature", "signature does not match")
    if not _fresh(ts, now):
        return _refuse(403, "stale", "timestamp outside the accepted window")
    body_hash = hashlib.sha256(raw).hexdigest()
    if memo.add(f"wechat:nonce:{ts}:{nonce}", body_hash, NONCE_TTL_S) != body_hash:
        return _refuse(403, "replayed", "this timestamp and nonce were already used for another message")

    key = None
    if safe:
        for k in acct.usable_keys(now):
            try:
                inner = decrypt(k, sealed, acct.appid)
                key = k
                break
            except CryptoError:
                continue
        else:
            return _refuse(403, "undecryptable", "the message does not open with our keys and AppID")
        try:
            msg = _fields(inner.encode())
        except ValueError:
            return _refuse(400, "bad_xml", "the sealed message is not XML")
    else:
        msg = outer

    reply = _answer_once(memo, _dedupe_key(msg), lambda: _reply_xml(msg, now))
    if reply == NO_REPLY:
        return Response(NO_REPLY, mimetype="text/plain")
    if key is not None:
        reply = _seal(acct, key, reply, now)
    return Response(reply, mimetype="application/xml")


def _dedupe_key(msg):
    if msg.get("MsgId"):
        return f"msg:{msg['MsgId']}"
    if msg.get("FromUserName") and msg.get("CreateTime"):
        return f"event:{msg['FromUserName']}:{msg['CreateTime']}:{msg.get('Event', '')}"
    return None


def _answer_once(memo, key, make):
    if key is None:
        return make()
    mine = "pending:" + secrets.token_hex(8)
    held = memo.add(f"wechat:reply:{key}", mine, REPLY_TTL_S)
    if held == mine:
        try:
            reply = make()
        except Exception:
            memo.set(f"wechat:reply:{key}", NO_REPLY, 1)    # let WeChat's next retry try again
            raise
        memo.set(f"wechat:reply:{key}", reply, REPLY_TTL_S)
        return reply
    deadline = time.monotonic() + RETRY_WAIT_S
    while held.startswith("pending:") and time.monotonic() < deadline:
        time.sleep(0.02)
        held = memo.get(f"wechat:reply:{key}") or NO_REPLY
    return NO_REPLY if held.startswith("pending:") else held


def _cdata(s):
    return "<![CDATA[" + str(s).replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _text_reply(msg, content, now):
    return ("<xml>"
            f"<ToUserName>{_cdata(msg.get('FromUserName', ''))}</ToUserName>"
            f"<FromUserName>{_cdata(msg.get('ToUserName', ''))}</FromUserName>"
            f"<CreateTime>{int(now)}</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType>"
            f"<Content>{_cdata(content)}</Content>"
            "</xml>")


def _seal(acct, key, reply, now):
    ts, nonce = str(int(now)), secrets.token_hex(8)
    sealed = encrypt(key, reply, acct.appid)
    return ("<xml>"
            f"<Encrypt>{_cdata(sealed)}</Encrypt>"
            f"<MsgSignature>{_cdata(signature(acct.token, ts, nonce, sealed))}</MsgSignature>"
            f"<TimeStamp>{ts}</TimeStamp>"
            f"<Nonce>{_cdata(nonce)}</Nonce>"
            "</xml>")


# --- what to say ---

def _base_url():
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def _reply_xml(msg, now):
    content = _respond(msg, now)
    return NO_REPLY if content is None else _text_reply(msg, content, now)


def _respond(msg, now):
    kind = msg.get("MsgType")
    base = _base_url()
    if kind == "event":
        event = (msg.get("Event") or "").lower()
        if event == "subscribe":
            return text.welcome_text(base)
        if event == "unsubscribe":
            notifier = current_app.extensions.get("notify")
            if notifier is not None:
                notifier.forget("wechat", msg.get("FromUserName"))
            return None
        if event == "click":
            return _command(msg.get("EventKey", ""), msg, now, base)
        return None
    if kind == "text":
        return _command(msg.get("Content", ""), msg, now, base)
    if kind == "voice" and msg.get("Recognition"):
        return _command(msg["Recognition"], msg, now, base)
    if kind == "location":
        near = _point(msg.get("Location_X"), msg.get("Location_Y"))
        if near is not None:
            return text.board_text(nearby.of(current_app).page(now, near, NEAR_CENTRES), base)
    return text.help_text(base)


def _point(lat, lon):
    """A location message's `[lat, lon]` (Location_X is the latitude), or None."""
    try:
        point = [float(lat), float(lon)]
    except (TypeError, ValueError):
        return None
    ok = all(map(math.isfinite, point)) and -90 <= point[0] <= 90 and -180 <= point[1] <= 180
    return point if ok else None


def _command(words, msg, now, base):
    hall = current_app.extensions["hall"]
    command, arg = text.parse(words)
    if command == "board":
        return text.board_text(nearby.of(current_app).page(now), base)
    if command == "book":
        return text.book_text(base)
    if command == "ticket_id":
        try:
            with hall.reading_ticket(arg) as (state, t):
                shown, tz = views.ticket(state, t, hall.waits(state)), state.config.timezone
        except Refused:
            return say("wechat.ticket_missing") + text.help_text(base)
        tracking = _track(arg, msg)
        return text.ticket_text(shown, tz, now, link=f"{base}/m/tickets/{arg}", tracking=tracking)
    if command == "number":
        number, hint = arg
        centres = text.pick_centre(nearby.of(current_app).page(now), hint)
        if not centres:
            return say("wechat.no_such_centre", hint=hint) + text.help_text(base)
        found = []
        for c in centres:
            with hall.reading(c["id"]) as state:
                t = state.ticket_by_ref(number)
                if t is not None:
                    found.append((views.ticket(state, t, hall.waits(state)), state.config.timezone))
        if not found:
            where = centres[0]["name"] if len(centres) == 1 else say("wechat.every_centre")
            return say("wechat.no_such_number", where=where, number=number)
        if len(found) > 1:
            return say("wechat.many_centres", n=len(found), number=number)
        shown, tz = found[0]
        return text.ticket_text(shown, tz, now, tracking=_track(shown["id"], msg))
    return text.help_text(base)


def _track(ticket_id, msg):
    """Remember that this follower wants to hear when the ticket is near and called."""
    notifier = current_app.extensions.get("notify")
    openid = msg.get("FromUserName")
    if notifier is None or not openid or not notifier.has_channel("wechat"):
        return False
    try:
        notifier.subscribe(ticket_id, "wechat", openid)
    except Refused:
        return False
    return True
