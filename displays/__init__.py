"""The hall's main screen, window screens and voice announcements.

The pages are shells: everything they show comes over Socket.IO (`hall/realtime.py`), so a
screen that reconnects after a blip shows the hall as it is now. No internet is needed: the
Socket.IO client is vendored under static/vendor.
"""
from flask import Blueprint, abort, current_app, render_template, request, send_file

from hall.core.errors import Refused
from hall.text import both

from . import voice

bp = Blueprint("displays", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/displays")
bp.record_once(lambda setup: voice.init_app(setup.app))

AUDIO_MAX_AGE_S = 365 * 86400   # an announcement's name is the digest of what it says: it never changes


def _state(cid):
    try:
        return current_app.extensions["hall"].state(cid)
    except Refused:
        abort(404, description=both("refusal.no_centre", center=cid))


def _page(template, name, center, window=None, speaks=True):
    lang = "en" if request.args.get("lang") == "en" else "zh"
    # ?voice=0 silences a screen (two main screens in one hall should not both speak);
    # window screens are silent unless ?voice=1
    voice = request.args.get("voice", "1" if speaks else "0") != "0"
    config = {"center": center, "window": window, "lang": lang, "voice": voice}
    return render_template(template, name=name, lang=lang, config_json=config)


@bp.get("/display/<cid>")
def main_screen(cid):
    state = _state(cid)
    return _page("displays/main.html", state.config.name, cid)


@bp.get("/display/<cid>/windows/<int:number>")
def window_screen(cid, number):
    state = _state(cid)
    if number not in state.windows:
        abort(404, description=both("refusal.no_window", centre=state.config.name, number=number))
    return _page("displays/window.html", state.windows[number].name, cid, number, speaks=False)


@bp.get("/audio/<lang>/<name>.wav")
def announcement(lang, name):
    path = current_app.extensions["voice"].announcer.path_of(lang, name)
    if path is None:
        abort(404, description="no such announcement")
    r = send_file(path, mimetype="audio/wav", max_age=AUDIO_MAX_AGE_S, conditional=True, etag=name)
    r.cache_control.immutable = True
    r.cache_control.public = True
    return r
