"""Logging in: a user name and password for a bearer token."""
from functools import cache

from flask import Blueprint, current_app, jsonify

from ..auth import hash_password, user_token, verify_password
from . import models as m
from .common import ApiError, hall, require, USER_ROLES
from .spec import declare, payload

bp = Blueprint("api_auth", __name__)


@bp.post("/auth/login")
@declare({200: m.Token}, json=m.Login, errors=(400, 401), public=True)
def login():
    """log in: a user name and password for a bearer token"""
    data = payload()
    user = hall().district().users.get(data.username)
    # verify even for an unknown user, so that timing does not tell which names exist
    stored = user["password"] if user else _dummy_hash()
    if not verify_password(data.password, stored) or user is None:
        raise ApiError("invalid_credentials", "wrong user name or password", 401)
    return jsonify({"token": user_token(current_app.config["SECRET_KEY"], data.username, user),
                    "role": user["role"], "center": user["center"], "name": user["name"],
                    "staff_no": user["staff_no"]})


@bp.get("/auth/me")
@declare({200: m.Me}, errors=(401,))
def me():
    """who the token stands for

    Who: any user or device token."""
    p = require(USER_ROLES + ("kiosk", "display", "bridge"))
    return jsonify({"kind": p.kind, "name": p.name, "role": p.role, "center": p.center,
                    "display_name": p.display_name, "staff_no": p.staff_no})


@cache
def _dummy_hash():
    return hash_password("not a password anyone has")
