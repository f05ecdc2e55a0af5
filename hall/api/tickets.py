"""Tickets: taking one (kiosk, staff, phone), following it, cancelling it, rating the service."""
from flask import Blueprint, current_app, jsonify, request

from .. import views
from ..core import ratings
from ..text import text
from ..core.appointments import booking_of
from . import citizens, id_cards, models as m
from .common import ApiError, caller, check, existing_center, hall, require, USER_ROLES
from .idempotency import idempotency
from .spec import Cached, declare, header, payload

bp = Blueprint("api_tickets", __name__)

CHANNEL_OF_ROLE = {"kiosk": "kiosk", "staff": "staff", "manager": "staff", "admin": "staff"}


def _ticket_view(state, tid):
    return views.ticket(state, state.tickets[tid], hall().waits(state))


@bp.post("/centers/<cid>/tickets")
@declare({201: m.Ticket}, json=m.IssueTicket, headers=m.IdempotencyKey, errors=(400, 401, 403, 404, 409, 503),
         public=True)
def issue(cid):
    """take a ticket

    Who: a kiosk device, staff, or the public (phone, with limits). `Idempotency-Key` makes a
    retry return the same ticket."""
    existing_center(cid)
    p = caller()
    if p is not None:
        check(p, USER_ROLES + ("kiosk",), cid)
    data = payload()
    channel = CHANNEL_OF_ROLE[p.role] if p else "phone"
    by = p.actor if p else "public"
    card = id_card(cid, data.id_card, p)
    if data.appointment_code is not None:
        return check_in(cid, data.appointment_code, channel, by)
    if data.queue is None and data.item is None:
        if card is not None:
            return check_in_by_card(cid, card, channel, by)
        raise ApiError("bad_input", "give 'queue', 'item', 'appointment_code' or 'id_card'", 400)
    priority = data.priority or "normal"
    if priority != "normal" and p is None:
        raise ApiError("forbidden", "绿色通道 tickets are issued at the hall (kiosk or staff)", 403)
    args = {"queue": data.queue, "item": data.item, "priority": priority, "channel": channel}
    if card is not None:
        args["person"] = card.person
    if p is None:
        holder = citizens.holder(data.phone, data.openid)
        if holder is not None:
            args["holder"] = holder
        with hall().reading(cid) as state:
            citizens.check_distance(data.location, state.config.location, state.config.remote["max_km"])
    scope = p.actor if p else "public:" + (request.remote_addr or "")
    args.update(idempotency(scope, header("idempotency_key"), data.queue, data.item, priority,
                            person=card.person if card else None))
    result, events, shown = hall().execute(cid, "issue", args, by=by, view=_ticket_view)
    return _created(result, shown, replayed=not any(e["type"] == "ticket_issued" for e in events))


def check_in(cid, code, channel, by):
    """An appointment's code becomes its ticket (a second check-in returns the same ticket)."""
    result, events, shown = hall().execute(cid, "check-in", {"code": code, "channel": channel}, by=by,
                                           view=_ticket_view)
    return _created(result, shown, replayed=not events)


def id_card(cid, card, p):
    """The request's `id_card` (models.IdCard) as an Identity (hashed and masked here), or None."""
    if card is None:
        return None
    with hall().reading(cid) as state:
        tz = state.config.timezone
    return id_cards.from_request(card, p, current_app.config["SECRET_KEY"], hall().clock(), tz)


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


# a ticket's id is its capability: no shared cache may keep it, but the phone may revalidate; a
# phone that heard its ticket called may ask past this process's cache with no-cache
@bp.get("/tickets/<tid>")
@declare({200: m.Ticket}, errors=(404,), public=True,
         cache=Cached("ticket", cache_control="private, no-cache", revalidate=True))
def get_ticket(tid):
    """a ticket

    Who: the public (the id is unguessable)."""
    with hall().reading_ticket(tid) as (state, t):
        return jsonify(views.ticket(state, t, hall().waits(state)))


@bp.delete("/tickets/<tid>")
@declare({200: m.Ticket}, errors=(404, 409), public=True)
def cancel(tid):
    """the citizen cancels a waiting ticket"""
    _, _, shown = hall().execute(_centre_of(tid), "cancel", {"ticket": tid}, by="public", view=_ticket_view)
    return jsonify(shown)


def _centre_of(tid):
    with hall().reading_ticket(tid) as (state, _):
        return state.id


def _rater(tid):
    p = caller()
    cid = _centre_of(tid)
    if p is not None:
        check(p, ("bridge", "kiosk"), cid)


# who rates through which 好差评 channel: the window's evaluator keypad comes by the bridge
CHANNEL_OF_RATER = {"bridge": "evaluator", "kiosk": "kiosk"}


@bp.get("/evaluation/options")
@declare({200: m.EvaluationOptions}, errors=(), public=True)
def evaluation_options():
    """the national 好差评 levels and the options a citizen may tick at each (`?lang=en` for English)

    Who: the public."""
    response = jsonify(rating_options(request.args.get("lang")))
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.post("/tickets/<tid>/evaluation")
@declare({201: m.Ticket}, json=m.Evaluation, errors=(400, 401, 403, 404, 409), public=True, guard=_rater)
def evaluate(tid):
    """rate the service (5 非常满意 … 1 非常不满意) with the options of its level; once per channel
    (evaluator, phone, kiosk: 409 already_rated), within the centre's `rating_days` after it ended
    (409 rating_closed); a 1 or 2 names at least one reason (400 reason_required)

    Who: the public (phone), a kiosk device, or a bridge device (a rating keypad)."""
    cid, p, data = _centre_of(tid), caller(), payload()
    channel = CHANNEL_OF_RATER.get(p.role, "phone") if p else "phone"
    options = list(data.options)
    if channel == "evaluator" and not options and data.score in ratings.REASON_REQUIRED:
        options = [ratings.KEYPAD_OPTION]       # a keypad has keys for levels, none for reasons
    _, _, shown = hall().execute(cid, "evaluate", {"ticket": tid, "score": data.score, "comment": data.comment,
                                                   "options": options, "channel": channel},
                                 by=p.actor if p else "public", view=_rated_view)
    response = jsonify(shown)
    response.status_code = 201
    return response


def _kiosk(cid):
    existing_center(cid)
    require(("kiosk",), cid)


@bp.post("/centers/<cid>/evaluations")
@declare({201: m.Ticket}, json=m.NumberEvaluation, errors=(400, 401, 403, 404, 409), guard=_kiosk)
def evaluate_by_number(cid):
    """rate today's service at the kiosk by its ticket number (the kiosk channel), as
    `POST /tickets/{id}/evaluation` does: once (409 already_rated), a reason for a 1 or 2; 404 for a
    number not issued today

    Who: a kiosk device of the centre."""
    p, data = caller(), payload()
    _, _, shown = hall().execute(cid, "evaluate", {"ticket": data.number.upper(), "score": data.score,
                                                   "comment": data.comment, "options": list(data.options),
                                                   "channel": "kiosk"},
                                 by=p.actor, view=_rated_view)
    response = jsonify(shown)
    response.status_code = 201
    return response


def _rated_view(state, tid):
    t = state.tickets.get(tid) or ratings.past_ticket(state, tid)
    return views.ticket(state, t, hall().waits(state))


def rating_options(lang=None):
    """The levels and options of hall.core.ratings in words of the text catalogue."""
    return {"levels": [{"score": score, "name": text(f"rating.level_{score}", lang),
                        "options": [{"code": c, "text": text(f"rating.{c}", lang)} for c in ratings.options_of(score)]}
                       for score in ratings.SCORES]}
