"""A window's work and state, for its staff, a manager, or the bridge of its call keypad."""
from flask import Blueprint, jsonify

from .. import views
from ..core.config import MODES
from ..core.decide import POSITIONS
from ..core.errors import not_found
from .common import ApiError, body, existing_center, existing_window, field, hall, require, USER_ROLES

bp = Blueprint("api_windows", __name__)

ACTORS = USER_ROLES + ("bridge",)
TICKET_ACTIONS = ("call-next", "call", "recall", "start", "finish", "no-show", "transfer")
WINDOW_ACTIONS = ("open", "pause", "resume", "close")


def _args(action, data, number, p):
    args = {"window": number}
    if action == "call":
        args["ticket"] = field(data, "ticket", str, required=True, max_len=64)
    elif action == "recall":
        ticket = field(data, "ticket", str, max_len=64)
        if ticket is not None:
            args["ticket"] = ticket
    elif action == "transfer":
        args["queue"] = field(data, "queue", str, required=True, max_len=64)
        args["position"] = field(data, "position", str, choices=POSITIONS) or "first"
    elif action == "pause":
        args["reason"] = field(data, "reason", str, max_len=200)
    elif action == "open" and p.kind == "user":
        args["staff"] = p.staff_card()
    return args


def _ticket_or_none(state, tid):
    return views.ticket(state, state.tickets[tid], hall().waits(state)) if tid else None


def _window_view(number):
    return lambda state, _: views.window(state, state.windows[number])


@bp.post("/centers/<cid>/windows/<int:number>/<action>")
def act(cid, number, action):
    if action not in TICKET_ACTIONS + WINDOW_ACTIONS:
        raise not_found(f"no window action {action!r}", "unknown_action")
    existing_center(cid)
    p = require(ACTORS, cid)
    existing_window(cid, number)
    args = _args(action, body(), number, p)
    view = _ticket_or_none if action in TICKET_ACTIONS else _window_view(number)
    _, _, shown = hall().execute(cid, action, args, by=p.actor, view=view)
    if shown is None:
        return "", 204
    return jsonify(shown)


@bp.put("/centers/<cid>/windows/<int:number>/queues")
def assign(cid, number):
    existing_center(cid)
    p = require(("manager", "admin"), cid)
    existing_window(cid, number)
    data = body()
    queues = field(data, "queues", list, required=True)
    if not all(isinstance(q, str) for q in queues):
        raise ApiError("bad_input", "'queues' must be a list of queue ids", 400)
    mode = field(data, "mode", str, choices=MODES)
    _, _, shown = hall().execute(cid, "assign", {"window": number, "queues": queues, "mode": mode},
                                 by=p.actor, view=_window_view(number))
    return jsonify(shown)
