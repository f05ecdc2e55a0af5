"""The event log of a centre from a sequence number: the audit trail, and how clients catch up."""
from flask import Blueprint, jsonify

from . import models as m
from .common import existing_center, hall, require
from .spec import args, declare

bp = Blueprint("api_events", __name__)

READERS = ("manager", "admin", "kiosk", "display", "bridge")


def _reader(cid):
    existing_center(cid)
    require(READERS, cid)


@bp.get("/centers/<cid>/events")
@declare({200: m.Events}, query=m.EventsQuery, guard=_reader)
def events(cid):
    """the event log after a sequence number

    Who: a manager of the centre, or one of its devices."""
    q = args()
    page = hall().events(cid, q.after, q.limit)
    return jsonify({"events": page, "last_seq": page[-1]["seq"] if page else q.after,
                    "more": len(page) == q.limit})
