"""The event log of a centre from a sequence number: the audit trail, and how clients catch up."""
from flask import Blueprint, jsonify, request

from .common import ApiError, existing_center, hall, require

bp = Blueprint("api_events", __name__)

READERS = ("manager", "admin", "kiosk", "display", "bridge")
MAX_PAGE = 1000


def _int_arg(name, default, lo, hi):
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError("bad_input", f"'{name}' must be a whole number", 400) from None
    if not lo <= value <= hi:
        raise ApiError("bad_input", f"'{name}' must be between {lo} and {hi}", 400)
    return value


@bp.get("/centers/<cid>/events")
def events(cid):
    existing_center(cid)
    require(READERS, cid)
    after = _int_arg("after", 0, 0, 2 ** 62)
    limit = _int_arg("limit", MAX_PAGE, 1, MAX_PAGE)
    page = hall().events(cid, after, limit)
    return jsonify({"events": page, "last_seq": page[-1]["seq"] if page else after,
                    "more": len(page) == limit})

