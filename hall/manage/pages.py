"""The managers' pages: static shells that log in and work through /api/v1 and Socket.IO."""
from flask import Blueprint, redirect, render_template, url_for

from ..api.common import hall
from ..core.errors import Refused

bp = Blueprint("manage", __name__, url_prefix="/manage", template_folder="templates", static_folder="static",
               static_url_path="/static")

PAGES = {"dashboard": "manage/dashboard.html", "alerts": "manage/alerts.html", "reports": "manage/reports.html"}


@bp.get("/")
def home():
    return render_template("manage/home.html")


@bp.get("/admin")
def admin():
    return render_template("manage/admin.html", center=None, page="admin")


@bp.get("/<cid>")
def dashboard(cid):
    return _page(cid, "dashboard")


@bp.get("/<cid>/alerts")
def alerts(cid):
    return _page(cid, "alerts")


@bp.get("/<cid>/reports")
def reports(cid):
    return _page(cid, "reports")


def _page(cid, page):
    try:
        state = hall().state(cid)
    except Refused:
        return redirect(url_for("manage.home"))
    return render_template(PAGES[page], center=cid, center_name=state.config.name, page=page)
