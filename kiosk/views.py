"""The kiosk's pages and the endpoints only a kiosk uses (its device token in `Authorization`).

Normal tickets go through the public API (`POST /api/v1/centers/<c>/tickets`, with an
Idempotency-Key per tap); this blueprint adds what the API has no business knowing: printing on
this kiosk's printer, 绿色通道 behind the guide's PIN, confirming a number on screen, reprints,
the printer's health, the catalogue shaped for a touch screen and the pinyin search.
"""
from typing import Literal

from flask import Blueprint, abort, current_app, jsonify, render_template, request
from pydantic import Field

from hall import views
from hall.api import models as m
from hall.api.common import ApiError, caller, require
from hall.api.spec import declare, header, payload
from hall.core.errors import Refused

from .printer import FAULTS
from .qr import svg
from .search import build_index, search

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk", template_folder="templates",
               static_folder="static", static_url_path="/static")



def kiosks():
    return current_app.extensions["kiosk"]


def hall():
    return current_app.extensions["hall"]


def kiosk_of(cid, **_):
    return require(("kiosk",), cid)


class PriorityTicket(m.Body):
    queue: m.Id | None = None
    item: m.Id | None = None
    pin: m.text(16)


class Print(m.Body):
    again: bool = False


class CardRef(m.Body):
    """The reference a kiosk page got in its `id_card` message, standing for the card just read."""
    ref: m.text(600)


class Reprint(m.Body):
    """With the guide's `pin`, or by the ticket holder's `id_card` (the 409 already_waiting offer)."""
    code: m.Id
    pin: m.text(16) | None = None
    id_card: CardRef | None = None


class CardRead(m.Body):
    """What the kiosk agent's reader read; checked and hashed at once, never kept."""
    number: m.text(18)
    name: m.text(30)


class AgentPrinted(m.Body):
    printed: bool
    fault: m.text(20) | None = None
    detail: m.text(200) | None = None
    paper_low: bool | None = None


class AgentStatus(m.Body):
    printer: Literal[("ok", "paper_low") + tuple(FAULTS)] | None = None
    reader: Literal["ok", "offline", "none"] | None = None


class Card(m.Answer):
    """A card read: only masked forms, the age, and a short-lived reference for the page."""
    name_masked: str = Field(examples=["张*"])
    number_masked: str = Field(examples=["110101********1234"])
    age: int
    ref: str
    expires_in_s: int
    elderly: bool
    elderly_age: int
    booking: dict | None
    waiting: list[dict]
    card_queues: list[str]


class JobAnswered(m.Answer):
    job: str
    accepted: bool


class Noted(m.Answer):
    ok: bool


class Pin(m.Body):
    pin: m.text(16)


def _kiosk_route(ok, json, headers=None):
    """The kiosk's own endpoints: the request's shape declared as the API's are (not documented
    with /api/v1); the kiosk's token is checked first."""
    return declare(ok, json=json, headers=headers, guard=kiosk_of)


def base_url():
    """Where phones reach the hall: the kiosk's `base_url` setting, else the address the kiosk used."""
    try:
        name = (request.args.get("kiosk") or "default")
        configured = kiosks().settings.get(name).base_url
    except ValueError:
        configured = None
    return configured or request.host_url.rstrip("/")


# --- pages ---

@bp.get("/<cid>")
def page(cid):
    try:
        state = hall().state(cid)
    except Refused:
        abort(404)
    return render_template("kiosk/index.html", cid=cid, center=state.config.name,
                           center_en=state.config.name_en or state.config.name)


@bp.get("/<cid>/catalog.json")
def catalog(cid):
    now = hall().clock()
    with hall().reading(cid) as state:
        cfg = state.config
        summary = views.center_summary(state, now, hall().waits(state))
        items = [{**views.item(state, it), "weight": it.weight,
                  "department": it.department or cfg.queues[it.queue].name}
                 for it in cfg.items.values()]
        hours, notice, notice_en = cfg.raw["hours"], cfg.notice, cfg.notice_en
        # when a booking may check in, so a refusal can say when to come back
        booking = {k: cfg.booking[k] for k in ("early_s", "grace_s")}
    departments = list(dict.fromkeys(it["department"] for it in items))
    return jsonify({"center": {"id": cid, "name": summary["name"], "name_en": summary["name_en"],
                               "open": summary["open"], "hours": hours, "notice": notice,
                               "notice_en": notice_en},
                    "queues": summary["queues"], "items": items, "departments": departments,
                    "life_events": ["出生", "上学", "工作", "结婚", "退休", "其他"], "booking": booking,
                    "seq": summary["seq"]})


_INDEX = {}                  # cid → (config object, index): rebuilt when the catalogue changes


@bp.get("/<cid>/search")
def find(cid):
    q = request.args.get("q", "")
    if len(q) > 40:
        raise ApiError("bad_input", "the search text is longer than 40 characters", 400)
    with hall().reading(cid) as state:
        cfg = state.config
        cached = _INDEX.get(cid)
        if cached is None or cached[0] is not cfg:
            cached = (cfg, build_index((it.id, it.name, it.weight) for it in cfg.items.values()))
            _INDEX[cid] = cached
    return jsonify({"q": q, "items": search(cached[1], q)})


@bp.get("/<cid>/tickets/<tid>/qr.svg")
def qr_code(cid, tid):
    with hall().reading_ticket(tid) as (state, _):
        if state.id != cid:
            abort(404)
    return current_app.response_class(svg(f"{base_url()}/m/tickets/{tid}"), mimetype="image/svg+xml")


# --- what only a kiosk may do ---

@bp.get("/<cid>/me")
def me(cid):
    p = kiosk_of(cid)
    # what the kiosk's agent last said of its ID-card reader: the page invites a card only when it is there
    reader = kiosks().reader_status(cid, p.name)
    try:
        return jsonify({"device": p.name, "center": cid, "settings": kiosks().settings.get(p.name).public(),
                        "id_reader": reader})
    except ValueError as e:
        return jsonify({"device": p.name, "center": cid, "settings": None, "settings_error": str(e),
                        "id_reader": reader})


@bp.post("/<cid>/tickets")
@_kiosk_route({201: m.Ticket}, PriorityTicket, headers=m.IdempotencyKey)
def priority_ticket(cid):
    """绿色通道: the guide's PIN is checked here, on the server, before the ticket exists."""
    p, data = caller(), payload()
    if data.queue is None and data.item is None:
        raise ApiError("bad_input", "give 'queue' or 'item'", 400)
    shown, replayed = kiosks().issue_priority(cid, p, data.pin, queue=data.queue, item=data.item,
                                              key=header("idempotency_key"))
    response = jsonify(shown)
    response.status_code = 201
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.post("/<cid>/print/<tid>")
@_kiosk_route({200: None}, Print)
def print_ticket(cid, tid):
    p = caller()
    return jsonify(kiosks().print_ticket(cid, p, tid, _kiosk_base_url(p), again=payload().again))


@bp.post("/<cid>/confirm/<tid>")
def confirm(cid, tid):
    p = kiosk_of(cid)
    return jsonify(kiosks().confirm(cid, p, tid))


@bp.post("/<cid>/reprint")
@_kiosk_route({200: None}, Reprint)
def reprint(cid):
    """A ticket printed again: with the guide's PIN, or by its holder's ID card (the 409 already_waiting offer)."""
    p, data = caller(), payload()
    card = kiosks().card_of(p, data.id_card.ref) if data.id_card is not None else None
    if card is None and data.pin is None:
        raise ApiError("bad_input", "'pin' is required", 400)
    return jsonify(kiosks().reprint(cid, p, data.pin, data.code, _kiosk_base_url(p), card=card))


# --- the kiosk agent (kiosk/agent/) on the kiosk's own PC, with the kiosk's token ---

@bp.post("/<cid>/id-card")
@_kiosk_route({200: Card}, CardRead)
def id_card(cid):
    """A card laid on this kiosk's reader: {"number", "name"} in, only masked forms and a reference out."""
    data = payload()
    return jsonify(kiosks().card_read(cid, caller(), data.number, data.name))


@bp.post("/<cid>/agent/printed/<job>")
@_kiosk_route({200: JobAnswered}, AgentPrinted)
def agent_printed(cid, job):
    return jsonify(kiosks().agent_printed(caller(), job, payload().model_dump()))


@bp.post("/<cid>/agent/status")
@_kiosk_route({200: Noted}, AgentStatus)
def agent_status(cid):
    data = payload()
    reader = None if data.reader == "none" else data.reader
    return jsonify(kiosks().agent_status(cid, caller(), printer=data.printer, reader=reader))


@bp.post("/<cid>/pin")
@_kiosk_route({200: None}, Pin)
def check_pin(cid):
    """The guide unlocks the guide menu; every guarded action sends the PIN again."""
    return jsonify(kiosks().guide(caller(), payload().pin))


@bp.get("/<cid>/printer")
def printer_status(cid):
    p = kiosk_of(cid)
    return jsonify(kiosks().printer_status(cid, p))


def _kiosk_base_url(p):
    try:
        configured = kiosks().settings.get(p.name).base_url
    except ValueError:
        configured = None
    return configured or request.host_url.rstrip("/")
