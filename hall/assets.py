"""What every page of the hall shares, served at /static/hall/: the text catalogue and the small
scripts that read it (text.js), build the DOM (dom.js) and talk to the hall (fetch.js).

Templates get two helpers: `t("kiosk.take")`, the words in the language the address asks for
(`?lang=en`; Chinese otherwise), so the page reads right before any script runs; and
`hall_scripts(["kiosk"])`: the namespaces a page uses, embedded once as
<script id="hall-text" type="application/json">, then the three shared scripts.
"""
from flask import Blueprint, request, url_for
from markupsafe import Markup

from . import text

bp = Blueprint("hall_assets", __name__, static_folder="static", static_url_path="/static/hall")


def _embed(names):
    # a JSON island: "</" must not end the script element early
    body = text.json_for_page(names).replace("</", "<\\/")
    return Markup(f'<script id="hall-text" type="application/json">{body}</script>')


SHARED = ("text.js", "dom.js", "fetch.js")


def _scripts(names):
    names = ["common", *names]          # what every page has: the language switch
    tags = "".join(f'\n<script src="{url_for("hall_assets.static", filename=f)}"></script>' for f in SHARED)
    return _embed(names) + Markup(tags)


def _words(code, **params):
    return text.text(code, request.args.get("lang"), **params)


@bp.app_context_processor
def _helpers():
    return {"t": _words, "hall_scripts": _scripts}


def init_app(app):
    app.register_blueprint(bp)
