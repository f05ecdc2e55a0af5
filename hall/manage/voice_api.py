"""A centre's voice for its managers: hear an announcement, upload the centre's own recorded pack.

GET    /centers/{c}/voice[?ticket=A001&window=N]   the centre's voice settings, the clips an
       announcement of that call joins (and whether each is the centre's own, the default, or
       missing) and the path of the announcement to play
PUT    /centers/{c}/voice/pack    body: a zip of clips, one folder per language (displays/voice/pack.py);
       replaces the centre's own pack whole, or refuses it whole (400 with every problem)
DELETE /centers/{c}/voice/pack    back to the default pack
"""
import re

from flask import Blueprint, current_app, jsonify, request

from displays.voice import BadPack, engine, words
from displays.voice.pack import ZIP_MAX_BYTES
from ..api import models as m
from ..api.common import ApiError, existing_center, hall, require
from ..api.spec import declare
from ..realtime import voice as voice_settings

bp = Blueprint("api_manage_voice", __name__)

MANAGERS = ("manager", "admin")
TICKET = re.compile(r"^[A-Z]{0,2}[0-9]{1,4}$")


def _voice():
    return current_app.extensions["voice"]


def _manager(cid):
    existing_center(cid)
    return require(MANAGERS, cid)


@bp.get("/centers/<cid>/voice")
@declare({200: m.Anything}, guard=_manager)
def preview(cid):
    """the centre's voice, the clips an announcement of `ticket` at `window` joins, and its audio

    Who: a manager of the centre."""
    ticket = (request.args.get("ticket") or "A001").upper()
    if not TICKET.match(ticket):
        raise ApiError("bad_input", "'ticket' must look like A001 (letters then digits)", 400)
    with hall().reading(cid) as state:
        settings = voice_settings(state)
        numbers = sorted(state.windows)
        raw = request.args.get("window")
        if raw in (None, ""):
            if not numbers:
                raise ApiError("bad_input", "the centre has no window to announce", 400)
            window = numbers[0]
        elif not raw.isdigit() or int(raw) not in state.windows:
            raise ApiError("bad_input", f"'window' must be one of the centre's windows: {numbers}", 400)
        else:
            window = int(raw)
        name = state.windows[window].name
    v = _voice()
    keys = v.announcer.words(settings, ticket, window, name)
    fixed = words.manifest(settings["lang"])
    clips = [{"clip": k, "says": fixed.get(k) or k.partition(":")[2],
              "source": v.packs.source(cid, settings["lang"], k)} for k in [words.CHIME, *keys]]
    audio = v.announce(cid, settings, {"ticket": ticket, "window": window, "window_name": name})
    v.flush()               # the manager plays it next
    # sources are read again: making the announcement may have made a missing clip
    for c in clips:
        c["source"] = v.packs.source(cid, settings["lang"], c["clip"])
    return jsonify({"voice": settings, "ticket": ticket, "window": window, "audio": audio, "clips": clips,
                    "manifest": fixed, "engine": engine.describe()})


@bp.put("/centers/<cid>/voice/pack")
@declare({200: m.Anything}, guard=_manager)
def upload(cid):
    """replace the centre's own voice pack (a zip of clips in the body), or refuse it whole

    Who: a manager of the centre."""
    p = require(MANAGERS, cid)
    request.max_content_length = ZIP_MAX_BYTES      # the app's 256 KB limit is for JSON
    data = request.get_data(cache=False)
    if not data:
        raise ApiError("bad_input", "send the pack as a zip file in the body", 400)
    try:
        installed = _voice().packs.install(cid, data, user=p.name)
    except BadPack as e:
        raise ApiError("bad_pack", str(e), 400) from None
    return jsonify({"installed": installed})


@bp.delete("/centers/<cid>/voice/pack")
@declare({200: m.Anything}, guard=_manager)
def remove(cid):
    """back to the default voice pack

    Who: a manager of the centre."""
    return jsonify({"removed": _voice().packs.remove(cid)})
