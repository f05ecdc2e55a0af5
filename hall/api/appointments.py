"""Appointments (预约): free slots, booking with name and phone, cancelling, checking in."""
import secrets

from flask import Blueprint, current_app, jsonify, request

from ..auth import holder_of
from ..core import appointments as booking
from ..core.errors import Refused
from ..public.privacy import mask_name, mask_phone
from . import citizens, id_cards, models as m
from .common import ApiError, caller, check, existing_center, hall, USER_ROLES
from .spec import args, declare, payload
from .tickets import check_in as ticket_for_code, CHANNEL_OF_ROLE

bp = Blueprint("api_appointments", __name__)


def _view(b):
    """A booking as anyone holding its code may see it: name and phone masked at booking time."""
    return {k: b[k] for k in ("code", "queue", "day", "slot", "name", "phone", "status", "ticket")}


def _center(cid, **_):
    existing_center(cid)


def _booker(cid, code):
    """A citizen (no token), or a manager of the centre."""
    existing_center(cid)
    p = caller()
    if p is not None:
        check(p, ("manager", "admin"), cid)


def _checker(cid, code):
    existing_center(cid)
    p = caller()
    if p is not None:
        check(p, USER_ROLES + ("kiosk",), cid)


@bp.get("/centers/<cid>/appointments")
@declare({200: m.Slots}, query=m.SlotsQuery, errors=(400, 404, 409), public=True, guard=_center)
def free_slots(cid):
    """free slots of a queue on a day"""
    q = args()
    with hall().reading(cid) as state:
        day = q.day or state.day
        slots = booking.slots(state, q.queue, day)
    return jsonify({"queue": q.queue, "day": day,
                    "slots": [{k: s[k] for k in ("slot", "capacity", "booked", "available")} for s in slots]})


@bp.post("/centers/<cid>/appointments")
@declare({201: m.Appointment}, json=m.Booking, errors=(400, 404, 409, 503), public=True, guard=_center)
def book(cid):
    """book a slot (name and phone are stored masked)"""
    data = payload()
    name = data.name.strip()
    if not name:
        raise ApiError("bad_input", "'name' is required", 400)
    phone = citizens.phone_number(data.phone, required=True)
    args = {"queue": data.queue, "day": data.day, "slot": data.slot, "name": mask_name(name),
            "phone": mask_phone(phone), "holder": holder_of(current_app.config["SECRET_KEY"], "phone", phone)}
    if data.id_number is not None:
        # optional: the booking is then checked in by laying the card at a kiosk; only the keyed hash is kept
        number = data.id_number.strip().upper()
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
@declare({200: m.Appointment}, errors=(404,), public=True)
def get_booking(cid, code):
    """a booking by its code"""
    with hall().reading(cid) as state:
        b = state.bookings.get(code)
        if b is None:
            raise ApiError("unknown_appointment", "no such appointment", 404)
        return jsonify(_view(b))


@bp.delete("/centers/<cid>/appointments/<code>")
@declare({200: m.Appointment}, json=m.CancelBooking, errors=(400, 401, 403, 404, 409), public=True,
         guard=_booker)
def cancel(cid, code):
    """cancel a booking

    Who: the citizen, with the phone they booked with (in the body or `?phone=`), or a manager."""
    p = caller()
    args = {"code": code}
    if p is None:
        phone = payload().phone or request.args.get("phone")
        args["holder"] = holder_of(current_app.config["SECRET_KEY"], "phone",
                                   citizens.phone_number(phone, required=True))
    _, _, shown = hall().execute(cid, "cancel-booking", args, by=p.actor if p else "public",
                                 view=lambda s, c: _view(s.bookings[c]))
    return jsonify(shown)


@bp.post("/centers/<cid>/appointments/<code>/check-in")
@declare({201: m.Ticket}, json=m.Empty, errors=(400, 401, 403, 404, 409, 503), public=True, guard=_checker)
def check_in(cid, code):
    """check in: the booking becomes a ticket ahead of walk-ins (same as POST tickets with appointment_code)

    Who: a kiosk device, staff, or the citizen."""
    p = caller()
    return ticket_for_code(cid, code, CHANNEL_OF_ROLE[p.role] if p else "phone", p.actor if p else "public")
