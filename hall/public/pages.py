"""The phone pages under /m/: the district wait board and a ticket's own page.

Shells that read the public API (cached, ETag) and, on the ticket page, the centre's Socket.IO
room; everything they need is served from here (no CDN), so they work on a hall's own network.
"""
import re
from datetime import UTC, datetime, timedelta

from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from ..api import models as m
from ..api.common import ApiError
from ..api.spec import declare, payload
from ..calendar import english
from ..core.clock import day_hours, iso, local
from ..core.errors import Refused
from ..text import text
from .privacy import mask_phone

bp = Blueprint("public_pages", __name__, url_prefix="/m", template_folder="templates",
               static_folder="static", static_url_path="/static")

OPENID = re.compile(r"^[A-Za-z0-9_-]{10,64}$")
BOOKING_CODE = re.compile(r"^[0-9]{6,12}$")
CENTRE_ID = re.compile(r"^[a-z0-9-]{1,64}$")


def _lang():
    return "en" if request.args.get("lang") == "en" else "zh"


def _channels():
    notifier = current_app.extensions.get("notify")
    return [c for c in ("wechat", "sms") if notifier is not None and notifier.has_channel(c)]


def _socketio_js():
    # the Socket.IO client the hall's screens vendor (displays/static/vendor)
    return url_for("displays.static", filename="vendor/socket.io.min.js")


@bp.context_processor
def _server_now():
    # the hall's clock for every page: a phone's own clock may be wrong (and a test's hall runs on
    # a clock of its own)
    now = datetime.fromtimestamp(current_app.extensions["hall"].clock(), UTC)
    return {"server_now": now.isoformat(timespec="milliseconds")}


@bp.get("/")
def board():
    return render_template("public/board.html", lang=_lang(), page="board")


@bp.get("/tickets/<tid>")
def ticket(tid):
    hall = current_app.extensions["hall"]
    try:
        with hall.reading_ticket(tid) as (state, t):
            center = state.id
    except Refused:
        return render_template("public/missing.html", lang=_lang(), page="missing"), 404
    config = {"ticket": tid, "center": center, "channels": _channels(),
              "openid": request.args.get("openid") if OPENID.match(request.args.get("openid", "")) else None}
    return render_template("public/ticket.html", lang=_lang(), page="ticket", config=config,
                           socketio_js=_socketio_js())


class Subscribe(m.Body):
    openid: m.Id | None = None
    phone: m.text(20) | None = None


@bp.post("/tickets/<tid>/subscribe")
@declare({201: None}, json=Subscribe, public=True)
def subscribe(tid):
    notifier = current_app.extensions.get("notify")
    openid, phone = payload().openid, payload().phone
    if (openid is None) == (phone is None):
        raise ApiError("bad_input", "give 'openid' (WeChat) or 'phone' (SMS)", 400)
    if openid is not None and not OPENID.match(openid):
        raise ApiError("bad_input", "'openid' is not a WeChat openid", 400)
    if notifier is None:
        # the ticket's existence first, so an unknown one is 404 whatever the set-up
        with current_app.extensions["hall"].reading_ticket(tid):
            pass
        raise ApiError("channel_unavailable", "notifications are not set up here", 503)
    channel, address = ("wechat", openid) if openid is not None else ("sms", phone.replace(" ", "").replace("-", ""))
    notifier.subscribe(tid, channel, address)
    # never echo a phone number whole, not even to the one who typed it
    to = text("phone.wechat") if channel == "wechat" else mask_phone(address)
    r = jsonify({"ticket": tid, "channel": channel, "to": to})
    r.status_code = 201
    return r


# --- appointments (预约): the booking steps, and one booking's own page ---

def _booking_rules(state, now):
    """What the booking page must know of a centre besides the public API: its local day and
    time (the phone's clock may be wrong), how far ahead it books, its check-in window, its hours,
    and each bookable day's opening minutes by the official calendar (`days`: {date: {"open": [[start,
    end], ...], "holiday": 国庆节 or null, "holiday_en": National Day or null}}; absent for a centre
    always open)."""
    cfg = state.config
    t = local(now, cfg.timezone)
    days = None
    if cfg.hours is not None:
        days = {}
        for i in range(cfg.booking["days_ahead"] + 1):
            d = t.date() + timedelta(days=i)
            holiday = getattr(cfg.hours, "closed", {}).get(d.isoformat()) or None
            days[d.isoformat()] = {"open": [list(r) for r in day_hours(cfg.hours, d)], "holiday": holiday,
                                   "holiday_en": english(holiday)}
    return {"today": t.date().isoformat(), "now_min": t.hour * 60 + t.minute, "hours": cfg.raw["hours"],
            "days": days, **{k: cfg.booking[k] for k in ("days_ahead", "early_s", "grace_s")}}


@bp.get("/book")
def book():
    hall = current_app.extensions["hall"]
    now = hall.clock()
    rules = {}
    for cid in hall.centre_ids():
        try:
            with hall.reading(cid) as state:
                if any(q.appointments for q in state.config.queues.values()):
                    rules[cid] = _booking_rules(state, now)
        except Refused:             # a stream with no centre configured (yet)
            continue
    chosen = request.args.get("center", "")
    config = {"rules": rules, "center": chosen if chosen in rules else None}
    return render_template("public/book.html", lang=_lang(), page="book", config=config)


@bp.get("/book/<cid>/<code>")
def booking(cid, code):
    hall = current_app.extensions["hall"]
    now = hall.clock()
    b = None
    if CENTRE_ID.match(cid) and BOOKING_CODE.match(code):
        try:
            with hall.reading(cid) as state:
                b = state.bookings.get(code)
                if b is not None:
                    cfg = state.config
                    q = cfg.queues[b["queue"]]
                    config = {"center": cid, "code": code, "center_name": cfg.name,
                              "center_name_en": cfg.name_en, "queue_name": q.name, "queue_name_en": q.name_en,
                              "address": cfg.address, "day": b["day"], "slot": b["slot"],
                              # the check-in window, in the centre's local time with its offset
                              "opens_at": iso(b["start"] - cfg.booking["early_s"], cfg.timezone),
                              "until": iso(b["miss_at"], cfg.timezone), "now": iso(now, cfg.timezone),
                              "new": request.args.get("new") == "1"}
        except Refused:
            b = None
    if b is None:
        return render_template("public/booking.html", lang=_lang(), page="booking-missing", config=None), 404
    return render_template("public/booking.html", lang=_lang(), page="booking", config=config)
