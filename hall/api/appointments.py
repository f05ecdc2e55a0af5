"""Appointments (预约): free slots, booking with name and phone, cancelling, checking in."""
import secrets

from flask import Blueprint, current_app, jsonify, request

from ..auth import holder_of
from ..core import appointments as booking
from ..core.errors import Refused
from ..public.privacy import mask_name, mask_phone
from . import citizens, id_cards
from .common import ApiError, body, caller, check, existing_center, field, hall, USER_ROLES
from .tickets import check_in as ticket_for_code, CHANNEL_OF_ROLE

bp = Blueprint("api_appointments", __name__)


def _view(b):
    """A booking as anyone holding its code may see it: name and phone masked at booking time."""
    return {k: b[k] for k in ("code", "queue", "day", "slot", "name", "phone", "status", "ticket")}


@bp.get("/centers/<cid>/appointments")
def free_slots(cid):
    queue = request.args.get("queue")
    if not queue:
        raise ApiError("bad_input", "give ?queue=QUEUE_ID (and ?day=YYYY-MM-DD)", 400)
    with hall().reading(cid) as state:
        day = request.args.get("day") or state.day
        if len(day) != 10:
            raise ApiError("bad_input", "day must be a date like 2026-11-27", 400)
        slots = booking.slots(state, queue, day)
    return jsonify({"queue": queue, "day": day,
                    "slots": [{k: s[k] for k in ("slot", "capacity", "booked", "available")} for s in slots]})


@bp.post("/centers/<cid>/appointments")
def book(cid):
    existing_center(cid)
    data = body()
    queue = field(data, "queue", str, required=True, max_len=64)
    day = field(data, "day", str, required=True, max_len=10)
    slot = field(data, "slot", str, required=True, max_len=11)
    name = field(data, "name", str, required=True, max_len=20).strip()
    if not name:
        raise ApiError("bad_input", "'name' is required", 400)
    phone = citizens.phone_number(data, required=True)
    args = {"queue": queue, "day": day, "slot": slot, "name": mask_name(name), "phone": mask_phone(phone),
            "holder": holder_of(current_app.config["SECRET_KEY"], "phone", phone)}
    number = data.get("id_number")
    if number is not None:
        # optional: the booking is then checked in by laying the card at a kiosk; only the keyed hash is kept
        number = number.strip().upper() if isinstance(number, str) else None
        if not id_cards.check_digit_ok(number):
            raise ApiError("bad_id_number", "身份证号码校验不通过 / the ID number is not valid", 400)
        args["person"] = holder_of(current_app.config["SECRET_KEY"], "idcard", number)
    for _ in range(5):
        try:
            code, _, shown = hall().execute(cid, "book", {**args, "code": f"{secrets.randbelow(10 ** 8):08d}"},
                                            by="public", view=lambda s, c: _view(s.bookings[c]))
            break
        except Refused as e:
            if e.code != "code_taken":
                raise
    else:
        raise Refused("busy", "could not find a free booking code; try again", 503)
    response = jsonify(shown)
    response.status_code = 201
    return response


@bp.get("/centers/<cid>/appointments/<code>")
def get_booking(cid, code):
    with hall().reading(cid) as state:
        b = state.bookings.get(code)
        if b is None:
            raise ApiError("unknown_appointment", "no such appointment", 404)
        return jsonify(_view(b))


@bp.delete("/centers/<cid>/appointments/<code>")
def cancel(cid, code):
    existing_center(cid)
    p = caller()
    args = {"code": code}
    if p is None:
        # a citizen cancels with the phone number they booked with
        args["holder"] = holder_of(current_app.config["SECRET_KEY"], "phone",
                                   citizens.phone_number(dict(body(), **request.args.to_dict()), required=True))
    else:
        check(p, ("manager", "admin"), cid)
    _, _, shown = hall().execute(cid, "cancel-booking", args, by=p.actor if p else "public",
                                 view=lambda s, c: _view(s.bookings[c]))
    return jsonify(shown)


@bp.post("/centers/<cid>/appointments/<code>/check-in")
def check_in(cid, code):
    existing_center(cid)
    p = caller()
    if p is not None:
        check(p, USER_ROLES + ("kiosk",), cid)
    return ticket_for_code(cid, code, CHANNEL_OF_ROLE[p.role] if p else "phone", p.actor if p else "public")
