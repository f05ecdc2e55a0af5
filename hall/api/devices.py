"""Devices report their health (printer out of paper, keypad offline) as events managers see."""
from flask import Blueprint, jsonify

from ..core.decide import DEVICE_STATUSES
from .common import body, existing_center, field, hall, require

bp = Blueprint("api_devices", __name__)


@bp.post("/centers/<cid>/devices/status")
def report(cid):
    existing_center(cid)
    p = require(("kiosk", "display", "bridge"), cid)
    data = body()
    args = {"device": field(data, "device", str, max_len=64) or p.name, "kind": p.role,
            "status": field(data, "status", str, required=True, choices=DEVICE_STATUSES),
            "detail": field(data, "detail", str, max_len=200)}
    hall().execute(cid, "report-device", args, by=p.actor)
    return jsonify({"device": args["device"], "status": args["status"]})
