"""The staff console: a browser page that logs in, takes a window and works it through the HTTP API.

The page holds no logic of the hall's: it calls `/api/v1` (login, window actions) and listens on
Socket.IO (its centre's room and, with the staff token, the staff room for ticket details).
"""
from flask import Blueprint, render_template

bp = Blueprint("staff", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static/staff")


@bp.get("/staff")
def console():
    return render_template("staff/console.html")
