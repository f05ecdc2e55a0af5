"""What every API view needs: the gateway, the caller, the body, and errors that stay 4xx."""
import json

from flask import current_app, g, request

from ..auth import principal_for
from ..core.errors import Refused

USER_ROLES = ("staff", "manager", "admin")


class ApiError(Refused):
    """An edge refusal (auth, malformed input): the same shape as the core's."""


def hall():
    return current_app.extensions["hall"]


def now():
    return hall().clock()


def body():
    """The request's JSON object; {} when there is none; 400 for anything else."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ApiError("bad_json", "the body is not valid JSON", 400) from None
    if not isinstance(data, dict):
        raise ApiError("bad_json", "the body must be a JSON object", 400)
    return data


def caller():
    """The authenticated principal or None; 401 for a token that stands for no one."""
    if "principal" not in g:
        header = request.headers.get("Authorization", "")
        if not header:
            g.principal = None
        else:
            scheme, _, token = header.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                raise ApiError("unauthorized", "use 'Authorization: Bearer TOKEN'", 401)
            p = principal_for(token.strip(), current_app.config["SECRET_KEY"], hall().district())
            if p is None:
                raise ApiError("unauthorized", "the token is invalid or has expired; log in again", 401)
            g.principal = p
    return g.principal


def require(roles, center=None):
    """The caller, who must hold one of `roles` (and belong to `center` when given)."""
    p = caller()
    if p is None:
        raise ApiError("unauthorized", "log in first (Authorization: Bearer TOKEN)", 401)
    check(p, roles, center)
    return p


def check(p, roles, center=None):
    if p.role not in roles:
        raise ApiError("forbidden", f"a {p.role} may not do this", 403)
    if center is not None and not p.may_act_in(center):
        raise ApiError("forbidden", f"{p.name} belongs to another centre", 403)


def existing_center(cid):
    """404 early for an unknown centre, so later checks speak of a real one."""
    hall().held(cid)
    return cid


def existing_window(cid, number):
    if number not in hall().held(cid, lambda state: number in state.windows).windows:
        raise Refused("unknown_window", f"no window {number} in this centre", 404)
    return number
