"""Who a citizen is, as far as the limits need to know: a keyed hash, never the number itself."""
import re

from flask import current_app

from .. import nearby
from ..auth import holder_of
from .common import ApiError

_PHONE = re.compile(r"^1[3-9]\d{9}$")


def phone_number(raw, required=False):
    """A mainland mobile number from what was typed (spaces, dashes, +86); None when absent."""
    if raw is None:
        if required:
            raise ApiError("bad_input", "'phone' is required", 400)
        return None
    digits = re.sub(r"[\s-]", "", raw).removeprefix("+86")
    if not _PHONE.match(digits):
        raise ApiError("bad_input", "phone must be a mainland mobile number (11 digits)", 400)
    return digits


def holder(phone, openid):
    """The remote ticket's holder, by phone or WeChat openid; None for an anonymous client.

    Not by address: a whole estate can sit behind one carrier NAT. An anonymous client is held
    by the per-client rate limit of the public edge instead.
    """
    secret = current_app.config["SECRET_KEY"]
    phone = phone_number(phone)
    if phone:
        return holder_of(secret, "phone", phone)
    return holder_of(secret, "openid", openid) if openid else None


def check_distance(location, center_location, max_km):
    """Refuse a remote ticket from further away than the centre allows (when it sets a limit).

    `location` is `[lat, lon]` as the request's schema checked it, or None."""
    if max_km is None or center_location is None:
        return
    if location is None:
        raise ApiError("location_required", "this centre issues remote tickets only near it: "
                       "send 'location': [lat, lon]", 400)
    km = distance_km(location, center_location)
    if km > max_km:
        raise ApiError("too_far", f"您距离中心约 {km:.1f} 公里，超出 {max_km:g} 公里的远程取号范围 / "
                       f"you are {km:.1f} km away; remote tickets are for within {max_km:g} km", 403)


def distance_km(a, b):
    return nearby.distance_m(a, b) / 1000
