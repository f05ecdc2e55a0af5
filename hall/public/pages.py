"""The phone pages under /m/: the district wait board and a ticket's own page.

Shells that read the public API (cached, ETag) and, on the ticket page, the centre's Socket.IO
room; everything they need is served from here (no CDN), so they work on a hall's own network.
"""
import re

from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from ..api.common import ApiError, body, field
from ..core.errors import Refused
from .privacy import mask_phone

bp = Blueprint("public_pages", __name__, url_prefix="/m", template_folder="templates",
               static_folder="static", static_url_path="/static")

OPENID = re.compile(r"^[A-Za-z0-9_-]{10,64}$")


def _lang():
    return "en" if request.args.get("lang") == "en" else "zh"


def _channels():
    notifier = current_app.extensions.get("notify")
    return [c for c in ("wechat", "sms") if notifier is not None and notifier.has_channel(c)]


def _socketio_js():
    # the Socket.IO client the hall's screens vendor (displays/static/vendor)
    return url_for("displays.static", filename="vendor/socket.io.min.js")


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


@bp.post("/tickets/<tid>/subscribe")
def subscribe(tid):
    notifier = current_app.extensions.get("notify")
    data = body()
    openid = field(data, "openid", str, max_len=64)
    phone = field(data, "phone", str, max_len=20)
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
    r = jsonify({"ticket": tid, "channel": channel, "to": "微信" if channel == "wechat" else mask_phone(address)})
    r.status_code = 201
    return r
