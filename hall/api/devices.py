"""Devices report their health (printer out of paper, keypad offline) as events managers see."""
from flask import Blueprint, jsonify

from . import models as m
from .common import caller, existing_center, hall, require
from .spec import declare, payload

bp = Blueprint("api_devices", __name__)


def _device(cid):
    existing_center(cid)
    require(("kiosk", "display", "bridge"), cid)


@bp.post("/centers/<cid>/devices/status")
@declare({200: m.DeviceReported}, json=m.DeviceStatus, guard=_device)
def report(cid):
    """a device reports its health

    Who: a kiosk, display or bridge device of the centre."""
    p, data = caller(), payload()
    args = {"device": data.device or p.name, "kind": p.role, "status": data.status, "detail": data.detail}
    hall().execute(cid, "report-device", args, by=p.actor)
    return jsonify({"device": args["device"], "status": args["status"]})
