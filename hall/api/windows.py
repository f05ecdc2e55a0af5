"""A window's work and state, for its staff, a manager, or the bridge of its call keypad."""
from flask import Blueprint, jsonify

from .. import views
from . import models as m
from .common import caller, existing_center, existing_window, hall, require, USER_ROLES
from .spec import declare, payload

bp = Blueprint("api_windows", __name__)

ACTORS = USER_ROLES + ("bridge",)
# action → (summary, body model or None, whether it answers with the ticket rather than the window)
ACTIONS = {
    "open": ("open the window (the staff on duty is the caller)", None, False),
    "pause": ("pause calling", m.Pause, False),
    "resume": ("resume calling", None, False),
    "close": ("close the window", None, False),
    "call-next": ("call the next ticket by the call policy; 204 when no one waits", None, True),
    "call": ("call one chosen waiting ticket out of order (id or today's number)", m.CallTicket, True),
    "recall": ("call the current ticket again, or call back a missed (过号) one", m.Recall, True),
    "start": ("the citizen arrived: service starts", None, True),
    "finish": ("service ends", None, True),
    "no-show": ("the called citizen did not come (过号)", None, True),
    "transfer": ("move the current ticket to another queue, keeping its number", m.Transfer, True),
}


def _window_actor(cid, number):
    existing_center(cid)
    require(ACTORS, cid)
    existing_window(cid, number)


def _manager_of_window(cid, number):
    existing_center(cid)
    require(("manager", "admin"), cid)
    existing_window(cid, number)


def _args(action, data, number, p):
    args = {"window": number}
    if action in ("call", "recall") and data.ticket is not None:
        args["ticket"] = data.ticket
    elif action == "transfer":
        args["queue"] = data.queue
        args["position"] = data.position or "first"
    elif action == "pause":
        args["reason"] = data.reason
    elif action == "open" and p.kind == "user":
        args["staff"] = p.staff_card()
    return args


def _ticket_or_none(state, tid):
    return views.ticket(state, state.tickets[tid], hall().waits(state)) if tid else None


def _window_view(number):
    return lambda state, _: views.window(state, state.windows[number])


def _action_view(action, summary, body, answers_ticket):
    def act(cid, number):
        p = caller()
        args = _args(action, payload(), number, p)
        view = _ticket_or_none if answers_ticket else _window_view(number)
        _, _, shown = hall().execute(cid, action, args, by=p.actor, view=view)
        if shown is None:
            return "", 204
        return jsonify(shown)
    act.__name__ = "window_" + action.replace("-", "_")
    act.__doc__ = f"{summary}\n\nWho: staff of the centre, or its bridge device."
    ok = {200: m.Ticket if answers_ticket else m.Window}
    if action == "call-next":
        ok[204] = None
    return declare(ok, json=body or m.Empty, errors=(400, 401, 403, 404, 409), guard=_window_actor)(act)


for _action, _declared in ACTIONS.items():
    bp.add_url_rule(f"/centers/<cid>/windows/<int:number>/{_action}", methods=["POST"],
                    view_func=_action_view(_action, *_declared))


@bp.put("/centers/<cid>/windows/<int:number>/queues")
@declare({200: m.Window}, json=m.AssignQueues, errors=(400, 401, 403, 404, 409), guard=_manager_of_window)
def assign(cid, number):
    """assign a window's queues and mode

    Who: a manager of the centre."""
    data = payload()
    _, _, shown = hall().execute(cid, "assign", {"window": number, "queues": data.queues, "mode": data.mode},
                                 by=caller().actor, view=_window_view(number))
    return jsonify(shown)
