"""The managers' API under /api/v1: the dashboard's picture, alerts, 好差评 follow-ups, bulk moves and
recommendations. Every change is a command through the gateway, so it is an event with the caller's name."""
from flask import Blueprint, current_app, jsonify

from ..api import models as m
from ..api.common import ApiError, caller, existing_center, hall, now, require
from ..api.spec import args, declare, payload
from . import board as views
from .logs import events_between

bp = Blueprint("api_manage", __name__)

MANAGERS = ("manager", "admin")
ALERT_ACTIONS = {"acknowledge": "acknowledge-alert", "resolve": "resolve-alert"}
FOLLOWUP_ACTIONS = ("verify", "rectify", "reply", "appeal", "review", "revisit")
ALERT_EVENTS = ("alert_raised", "alert_escalated", "alert_acknowledged", "alert_resolved")


def manage():
    return current_app.extensions["manage"]


def _manager(cid, roles=MANAGERS, **_):
    existing_center(cid)
    return require(roles, cid)


def _manager_or_staff(cid):
    _manager(cid, MANAGERS + ("staff",))


@bp.get("/centers/<cid>/board")
@declare({200: m.Anything}, guard=_manager)
def board(cid):
    """the dashboard's picture: queues with trend and norms, windows with ticket and time in service, alerts

    Who: a manager of the centre."""
    t = now()
    trend = manage().trends.series(cid, t)
    recs = manage().recommendations(cid)
    with hall().reading(cid) as state:
        return jsonify(views.board(state, t, trend, recs, hall().waits(state)))


@bp.get("/centers/<cid>/recommendations")
@declare({200: m.Anything}, query=m.FreshQuery, guard=_manager)
def recommendations(cid):
    """recommended moves of staff between windows and queues (`?fresh=1` recomputes)

    Who: a manager of the centre."""
    return jsonify(manage().recommendations(cid, fresh=args().fresh in ("1", "true")))


@bp.get("/centers/<cid>/alerts")
@declare({200: m.Alerts}, query=m.DaysQuery, guard=_manager)
def alerts(cid):
    """active alerts, and the alerts of the last `days` (at most 31)

    Who: a manager of the centre."""
    days = args().days
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


def _alert_view(action):
    def act(cid):
        p, data = caller(), payload()
        args = {"alert": data.alert}
        if data.note is not None:
            args["note"] = data.note
        t = now()
        _, _, shown = hall().execute(cid, ALERT_ACTIONS[action], args, by=p.actor,
                                     view=lambda s, aid: views.alert(s, s.alerts[aid], t) if aid in s.alerts else None)
        return jsonify(shown or {"id": args["alert"], "resolved": True})
    act.__name__ = "alert_" + action
    act.__doc__ = f"{action} an alert\n\nWho: a manager of the centre."
    return declare({200: m.Anything}, json=m.AlertStep, errors=(400, 401, 403, 404, 409), guard=_manager)(act)


for _action in ALERT_ACTIONS:
    bp.add_url_rule(f"/centers/<cid>/alerts/{_action}", methods=["POST"], view_func=_alert_view(_action))


@bp.get("/centers/<cid>/followups")
@declare({200: m.Followups}, guard=_manager_or_staff)
def followups(cid):
    """好差评 follow-ups of low ratings: open, due and closed

    Who: a manager or staff of the centre."""
    with hall().reading(cid) as state:
        return jsonify({"followups": views.followups(state, now())})


def _followup_view(action):
    # the staff (or their department) may appeal a rating; the rest of the loop is the managers'
    def guard(cid):
        _manager(cid, MANAGERS + (("staff",) if action == "appeal" else ()))

    def act(cid):
        p, data = caller(), payload()
        args = {"followup": data.followup, "note": data.note}
        if action == "verify":
            args["finding"] = data.finding or "confirmed"
        if action == "review":
            if data.outcome is None:
                raise ApiError("bad_input", "'outcome' is required", 400)
            args["outcome"] = data.outcome
        if action == "revisit":
            if data.result is None:
                raise ApiError("bad_input", "'result' is required: satisfied or unsatisfied", 400)
            args["result"] = data.result
        t = now()
        _, _, shown = hall().execute(cid, f"followup-{action}", args, by=p.actor,
                                     view=lambda s, fid: views.followup(s, s.followups[fid], t))
        return jsonify(shown)
    act.__name__ = "followup_" + action
    act.__doc__ = ("the return visit (回访) of a low rating put right" if action == "revisit" else
                   f"the follow-up step '{action}' of a low rating") + "\n\nWho: a manager of the centre" + \
        (", or its staff" if action == "appeal" else "") + "."
    return declare({200: m.Anything}, json=m.FollowupStep, errors=(400, 401, 403, 404, 409), guard=guard)(act)


for _action in FOLLOWUP_ACTIONS:
    bp.add_url_rule(f"/centers/<cid>/followups/{_action}", methods=["POST"], view_func=_followup_view(_action))


@bp.post("/centers/<cid>/moves")
@declare({200: m.Moved}, json=m.Move, errors=(400, 401, 403, 404, 409), guard=_manager)
def move(cid):
    """move waiting tickets from one queue to another

    Who: a manager of the centre."""
    p, data = caller(), payload()
    args = {"from_queue": data.from_, "to_queue": data.to, "take": data.take or "first"}
    if data.count is not None:
        args["count"] = data.count
    moved, events, _ = hall().execute(cid, "move", args, by=p.actor)
    return jsonify({"moved": moved, "numbers": events[-1]["numbers"], "from": args["from_queue"],
                    "to": args["to_queue"], "seq": events[-1]["seq"]})
