"""The event log of a centre from a sequence number: the audit trail, and how clients catch up."""
from flask import Blueprint, jsonify

from .common import existing_center, hall, int_arg, require

bp = Blueprint("api_events", __name__)

READERS = ("manager", "admin", "kiosk", "display", "bridge")
MAX_PAGE = 1000


@bp.get("/centers/<cid>/events")
def events(cid):
    existing_center(cid)
    require(READERS, cid)
    after = int_arg("after", 0, 0, 2 ** 62)
    limit = int_arg("limit", MAX_PAGE, 1, MAX_PAGE)
    page = hall().events(cid, after, limit)
    return jsonify({"events": page, "last_seq": page[-1]["seq"] if page else after,
                    "more": len(page) == limit})

