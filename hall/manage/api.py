"""The managers' API under /api/v1: the dashboard's picture, alerts, 好差评 follow-ups, bulk moves and
recommendations. Every change is a command through the gateway, so it is an event with the caller's name."""
from flask import Blueprint, current_app, jsonify, request

from ..api.common import body, existing_center, field, hall, int_arg, now, require
from ..core.errors import not_found
from ..core.followups import FINDINGS, OUTCOMES
from ..core.moves import TAKES
from . import board as views
from .logs import events_between

bp = Blueprint("api_manage", __name__)

MANAGERS = ("manager", "admin")
ALERT_ACTIONS = {"acknowledge": "acknowledge-alert", "resolve": "resolve-alert"}
FOLLOWUP_ACTIONS = ("verify", "rectify", "reply", "appeal", "review")
ALERT_EVENTS = ("alert_raised", "alert_escalated", "alert_acknowledged", "alert_resolved")
HISTORY_MAX_DAYS = 31


def manage():
    return current_app.extensions["manage"]


def _manager(cid, roles=MANAGERS):
    existing_center(cid)
    return require(roles, cid)


@bp.get("/centers/<cid>/board")
def board(cid):
    _manager(cid)
    t = now()
    trend = manage().trends.series(cid, t)
    recs = manage().recommendations(cid)
    with hall().reading(cid) as state:
        return jsonify(views.board(state, t, trend, recs, hall().waits(state)))


@bp.get("/centers/<cid>/recommendations")
def recommendations(cid):
    _manager(cid)
    fresh = request.args.get("fresh") in ("1", "true")
    return jsonify(manage().recommendations(cid, fresh=fresh))


@bp.get("/centers/<cid>/alerts")
def alerts(cid):
    _manager(cid)
    days = int_arg("days", 7, 0, HISTORY_MAX_DAYS)
    t = now()
    with hall().reading(cid) as state:
        active = views.alerts(state, t)
    history = []
    if days:
        history = [e for e in events_between(hall(), cid, t - days * 86400) if e["type"] in ALERT_EVENTS]
        history.reverse()
        names = {q.id: q.name for q in state.config.queues.values()}
        history = [{**e, "queue_name": names.get(e.get("queue"))} if e.get("queue") else e for e in history]
    return jsonify({"active": active, "history": history})


@bp.post("/centers/<cid>/alerts/<action>")
def alert_action(cid, action):
    if action not in ALERT_ACTIONS:
        raise not_found(f"no alert action {action!r}", "unknown_action")
    p = _manager(cid)
    data = body()
    args = {"alert": field(data, "alert", str, required=True, max_len=64)}
    note = field(data, "note", str, max_len=500)
    if note is not None:
        args["note"] = note
    t = now()
    _, _, shown = hall().execute(cid, ALERT_ACTIONS[action], args, by=p.actor,
                                 view=lambda s, aid: views.alert(s, s.alerts[aid], t) if aid in s.alerts else None)
    return jsonify(shown or {"id": args["alert"], "resolved": True})


@bp.get("/centers/<cid>/followups")
def followups(cid):
    _manager(cid, MANAGERS + ("staff",))
    with hall().reading(cid) as state:
        return jsonify({"followups": views.followups(state, now())})


@bp.post("/centers/<cid>/followups/<action>")
def followup_action(cid, action):
    if action not in FOLLOWUP_ACTIONS:
        raise not_found(f"no follow-up step {action!r}", "unknown_action")
    # the staff (or their department) may appeal a rating; the rest of the loop is the managers'
    p = _manager(cid, MANAGERS + (("staff",) if action == "appeal" else ()))
    data = body()
    args = {"followup": field(data, "followup", str, required=True, max_len=128),
            "note": field(data, "note", str, required=True, max_len=500)}
    if action == "verify":
        args["finding"] = field(data, "finding", str, choices=FINDINGS) or "confirmed"
    if action == "review":
        args["outcome"] = field(data, "outcome", str, required=True, choices=OUTCOMES)
    t = now()
    _, _, shown = hall().execute(cid, f"followup-{action}", args, by=p.actor,
                                 view=lambda s, fid: views.followup(s, s.followups[fid], t))
    return jsonify(shown)


@bp.post("/centers/<cid>/moves")
def move(cid):
    p = _manager(cid)
    data = body()
    args = {"from_queue": field(data, "from", str, required=True, max_len=64),
            "to_queue": field(data, "to", str, required=True, max_len=64),
            "take": field(data, "take", str, choices=TAKES) or "first"}
    count = field(data, "count", int)
    if count is not None:
        args["count"] = count
    moved, events, _ = hall().execute(cid, "move", args, by=p.actor)
    return jsonify({"moved": moved, "numbers": events[-1]["numbers"], "from": args["from_queue"],
                    "to": args["to_queue"], "seq": events[-1]["seq"]})

