"""Tickets: taking one (kiosk, staff, phone), following it, cancelling it, rating the service."""
import hashlib
import json

from flask import Blueprint, current_app, jsonify, request

from .. import views
from ..core.appointments import booking_of
from ..core.decide import PRIORITIES
from . import citizens, id_cards
from .common import ApiError, body, caller, check, existing_center, field, hall, USER_ROLES

bp = Blueprint("api_tickets", __name__)

CHANNEL_OF_ROLE = {"kiosk": "kiosk", "staff": "staff", "manager": "staff", "admin": "staff"}


def _ticket_view(state, tid):
    return views.ticket(state, state.tickets[tid])


@bp.post("/centers/<cid>/tickets")
def issue(cid):
    existing_center(cid)
    p = caller()
    if p is not None:
        check(p, USER_ROLES + ("kiosk",), cid)
    data = body()
    channel = CHANNEL_OF_ROLE[p.role] if p else "phone"
    by = p.actor if p else "public"
    card = id_card(cid, data, p)
    code = field(data, "appointment_code", str, max_len=12)
    if code is not None:
        return check_in(cid, code, channel, by)
    queue = field(data, "queue", str, max_len=64)
    item = field(data, "item", str, max_len=64)
    if queue is None and item is None:
        if card is not None:
            return check_in_by_card(cid, card, channel, by)
        raise ApiError("bad_input", "give 'queue', 'item', 'appointment_code' or 'id_card'", 400)
    priority = field(data, "priority", str, choices=PRIORITIES) or "normal"
    if priority != "normal" and p is None:
        raise ApiError("forbidden", "绿色通道 tickets are issued at the hall (kiosk or staff)", 403)
    args = {"queue": queue, "item": item, "priority": priority, "channel": channel}
    if card is not None:
        args["person"] = card.person
    if p is None:
        holder = citizens.holder(data)
        if holder is not None:
            args["holder"] = holder
        with hall().reading(cid) as state:
            citizens.check_distance(data, state.config.location, state.config.remote["max_km"])
    key = request.headers.get("Idempotency-Key")
    if key is not None:
        if not 8 <= len(key) <= 128 or not key.isprintable():
            raise ApiError("bad_input", "Idempotency-Key must be 8–128 printable characters", 400)
        # scoped to the caller, so one client's key can never fetch another's ticket
        args["idem"] = f"{p.actor if p else 'public:' + (request.remote_addr or '')}:{key}"
        args["fingerprint"] = hashlib.sha256(
            json.dumps([queue, item, priority] + ([card.person] if card else []),
                       ensure_ascii=False).encode()).hexdigest()[:16]
    result, events, shown = hall().execute(cid, "issue", args, by=by, view=_ticket_view)
    return _created(result, shown, replayed=not any(e["type"] == "ticket_issued" for e in events))


def check_in(cid, code, channel, by):
    """An appointment's code becomes its ticket (a second check-in returns the same ticket)."""
    result, events, shown = hall().execute(cid, "check-in", {"code": code, "channel": channel}, by=by,
                                           view=_ticket_view)
    return _created(result, shown, replayed=not events)


def id_card(cid, data, p):
    """The request's `id_card` as an Identity (hashed and masked here), or None."""
    if data.get("id_card") is None:
        return None
    with hall().reading(cid) as state:
        tz = state.config.timezone
    return id_cards.from_request(data, p, current_app.config["SECRET_KEY"], hall().clock(), tz)


def check_in_by_card(cid, card, channel, by):
    """A card laid with no service chosen: today's booking made with that ID number is checked in."""
    with hall().reading(cid) as state:
        b = booking_of(state, card.person)
        code = b["code"] if b else None
    if code is None:
        raise ApiError("no_appointment", "今天没有用此身份证预约的业务 / no appointment today with this ID card", 404)
    result, events, shown = hall().execute(cid, "check-in", {"code": code, "channel": channel,
                                                             "person": card.person}, by=by, view=_ticket_view)
    return _created(result, shown, replayed=not events)


def _created(tid, shown, replayed):
    response = jsonify(shown)
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/tickets/{tid}"
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/tickets/<tid>")
def get_ticket(tid):
    with hall().reading_ticket(tid) as (state, t):
        return jsonify(views.ticket(state, t))


@bp.delete("/tickets/<tid>")
def cancel(tid):
    with hall().reading_ticket(tid) as (state, t):
        cid = state.id
    _, _, shown = hall().execute(cid, "cancel", {"ticket": tid}, by="public", view=_ticket_view)
    return jsonify(shown)


@bp.post("/tickets/<tid>/evaluation")
def evaluate(tid):
    with hall().reading_ticket(tid) as (state, t):
        cid = state.id
    p = caller()
    if p is not None:
        check(p, ("bridge",), cid)
    data = body()
    score = field(data, "score", int, required=True)
    comment = field(data, "comment", str, max_len=500)
    _, _, shown = hall().execute(cid, "evaluate", {"ticket": tid, "score": score, "comment": comment},
                                 by=p.actor if p else "public", view=_ticket_view)
    response = jsonify(shown)
    response.status_code = 201
    return response
