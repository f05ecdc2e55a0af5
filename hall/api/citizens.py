"""Who a citizen is, as far as the limits need to know: a keyed hash, never the number itself."""
import math
import re

from flask import current_app

from ..auth import holder_of
from .common import ApiError, field

_PHONE = re.compile(r"^1[3-9]\d{9}$")


def phone_number(data, required=False):
    raw = field(data, "phone", str, required=required, max_len=20)
    if raw is None:
        return None
    digits = re.sub(r"[\s-]", "", raw).removeprefix("+86")
    if not _PHONE.match(digits):
        raise ApiError("bad_input", "phone must be a mainland mobile number (11 digits)", 400)
    return digits


def holder(data):
    """The remote ticket's holder, by phone or WeChat openid; None for an anonymous client.

    Not by address: a whole estate can sit behind one carrier NAT. An anonymous client is held
    by the per-client rate limit of the public edge instead.
    """
    secret = current_app.config["SECRET_KEY"]
    phone = phone_number(data)
    if phone:
        return holder_of(secret, "phone", phone)
    openid = field(data, "openid", str, max_len=64)
    return holder_of(secret, "openid", openid) if openid else None


def check_distance(data, center_location, max_km):
    """Refuse a remote ticket from further away than the centre allows (when it sets a limit)."""
    if max_km is None or center_location is None:
        return
    loc = data.get("location")
    if (not isinstance(loc, list) or len(loc) != 2
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in loc)
            or not (-90 <= loc[0] <= 90 and -180 <= loc[1] <= 180)):
        raise ApiError("location_required", "this centre issues remote tickets only near it: "
                       "send 'location': [lat, lon]", 400)
    km = distance_km(loc, center_location)
    if km > max_km:
        raise ApiError("too_far", f"您距离中心约 {km:.1f} 公里，超出 {max_km:g} 公里的远程取号范围 / "
                       f"you are {km:.1f} km away; remote tickets are for within {max_km:g} km", 403)


def distance_km(a, b):
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))
