"""The kiosk's pages and the endpoints only a kiosk uses (its device token in `Authorization`).

Normal tickets go through the public API (`POST /api/v1/centers/<c>/tickets`, with an
Idempotency-Key per tap); this blueprint adds what the API has no business knowing: printing on
this kiosk's printer, 绿色通道 behind the guide's PIN, confirming a number on screen, reprints,
the printer's health, the catalogue shaped for a touch screen and the pinyin search.
"""
from flask import Blueprint, abort, current_app, jsonify, render_template, request

from hall import views
from hall.api.common import ApiError, body, field, require
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


def kiosk_of(cid):
    return require(("kiosk",), cid)


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
        summary = views.center_summary(state, now)
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
def priority_ticket(cid):
    """绿色通道: the guide's PIN is checked here, on the server, before the ticket exists."""
    p = kiosk_of(cid)
    data = body()
    queue, item = field(data, "queue", str, max_len=64), field(data, "item", str, max_len=64)
    if queue is None and item is None:
        raise ApiError("bad_input", "give 'queue' or 'item'", 400)
    pin = field(data, "pin", str, required=True, max_len=16)
    key = _idempotency_key()
    shown, replayed = kiosks().issue_priority(cid, p, pin, queue=queue, item=item, key=key)
    response = jsonify(shown)
    response.status_code = 201
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.post("/<cid>/print/<tid>")
def print_ticket(cid, tid):
    p = kiosk_of(cid)
    again = field(body(), "again", bool) or False
    return jsonify(kiosks().print_ticket(cid, p, tid, _kiosk_base_url(p), again=again))


@bp.post("/<cid>/confirm/<tid>")
def confirm(cid, tid):
    p = kiosk_of(cid)
    return jsonify(kiosks().confirm(cid, p, tid))


@bp.post("/<cid>/reprint")
def reprint(cid):
    """A ticket printed again: with the guide's PIN, or by its holder's ID card (the 409 already_waiting offer)."""
    p = kiosk_of(cid)
    data = body()
    code = field(data, "code", str, required=True, max_len=64)
    card = kiosks().card_of(p, data.get("id_card"))
    pin = field(data, "pin", str, required=card is None, max_len=16)
    return jsonify(kiosks().reprint(cid, p, pin, code, _kiosk_base_url(p), card=card))


# --- the kiosk agent (kiosk/agent/) on the kiosk's own PC, with the kiosk's token ---

@bp.post("/<cid>/id-card")
def id_card(cid):
    """A card laid on this kiosk's reader: {"number", "name"} in, only masked forms and a reference out."""
    p = kiosk_of(cid)
    data = body()
    number = field(data, "number", str, required=True, max_len=18)
    name = field(data, "name", str, required=True, max_len=30)
    return jsonify(kiosks().card_read(cid, p, number, name))


@bp.post("/<cid>/agent/printed/<job>")
def agent_printed(cid, job):
    p = kiosk_of(cid)
    data = body()
    fault = field(data, "fault", str, max_len=20)
    result = {"printed": field(data, "printed", bool, required=True), "fault": fault,
              "detail": field(data, "detail", str, max_len=200), "paper_low": field(data, "paper_low", bool)}
    return jsonify(kiosks().agent_printed(p, job, result))


@bp.post("/<cid>/agent/status")
def agent_status(cid):
    p = kiosk_of(cid)
    data = body()
    printer = field(data, "printer", str, choices=("ok", "paper_low") + tuple(FAULTS))
    reader = field(data, "reader", str, choices=("ok", "offline", "none"))
    return jsonify(kiosks().agent_status(cid, p, printer=printer, reader=None if reader == "none" else reader))


@bp.post("/<cid>/pin")
def check_pin(cid):
    """The guide unlocks the guide menu; every guarded action sends the PIN again."""
    p = kiosk_of(cid)
    return jsonify(kiosks().guide(p, field(body(), "pin", str, required=True, max_len=16)))


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


def _idempotency_key():
    key = request.headers.get("Idempotency-Key")
    if key is not None and (not 8 <= len(key) <= 128 or not key.isprintable()):
        raise ApiError("bad_input", "Idempotency-Key must be 8–128 printable characters", 400)
    return key
