"""Administration: staff accounts, device tokens and the catalogue, through the district's stream.

An administrator may do anything; a manager may add and change staff accounts and devices of
their own centre, and load catalogue entries for it. Password hashes and token hashes never leave.
"""
import yaml
from flask import Blueprint, jsonify, request

from .. import catalog
from ..api.common import ApiError, body, field, hall, require
from ..auth import device_token_hash, hash_password, new_device_token
from ..core.config import ConfigError
from ..core.district import DEVICE_KINDS, USER_ROLES

bp = Blueprint("api_manage_admin", __name__)

MANAGERS = ("manager", "admin")
MIN_PASSWORD = 6
CATALOG_MAX = 2 * 1024 * 1024


def _may_manage(p, role, center):
    if p.role == "admin":
        return
    if role != "staff":
        raise ApiError("forbidden", "a manager may add and change staff accounts only", 403)
    if center != p.center:
        raise ApiError("forbidden", f"{p.name} may manage accounts of centre {p.center} only", 403)


def _user_view(name, u):
    return {"username": name, "role": u["role"], "center": u["center"], "name": u["name"],
            "staff_no": u["staff_no"]}


@bp.get("/users")
def users():
    p = require(MANAGERS)
    listed = hall().district().users
    return jsonify({"users": [_user_view(n, u) for n, u in sorted(listed.items())
                              if p.role == "admin" or u["center"] == p.center]})


@bp.post("/users")
def save_user():
    """Add a user, or change one: a new password, another centre, role, name or 工号."""
    p = require(MANAGERS)
    data = body()
    username = field(data, "username", str, required=True, max_len=64)
    old = hall().district().users.get(username)
    if old is not None:
        _may_manage(p, old["role"], old["center"])
    role = field(data, "role", str, choices=USER_ROLES) or (old["role"] if old else None)
    if role is None:
        raise ApiError("bad_input", "'role' is required for a new user", 400)
    center = field(data, "center", str, max_len=64) if "center" in data else (old["center"] if old else p.center)
    _may_manage(p, role, center)
    password = field(data, "password", str, max_len=256)
    if password is not None and len(password) < MIN_PASSWORD:
        raise ApiError("bad_input", f"the password needs at least {MIN_PASSWORD} characters", 400)
    if password is None and old is None:
        raise ApiError("bad_input", "'password' is required for a new user", 400)
    args = {"username": username, "role": role, "center": center,
            "name": field(data, "name", str, max_len=64) or (old["name"] if old else None),
            "staff_no": field(data, "staff_no", str, max_len=32) or (old["staff_no"] if old else None),
            # an unchanged password keeps its hash, and so the tokens issued under it
            "password": hash_password(password) if password is not None else old["password"]}
    hall().execute_district("add-user", args, by=p.actor)
    return jsonify(_user_view(username, hall().district().users[username])), (200 if old else 201)


@bp.get("/devices")
def devices():
    p = require(MANAGERS)
    listed = hall().district().devices
    return jsonify({"devices": [{"name": n, "kind": d["kind"], "center": d["center"]}
                                for n, d in sorted(listed.items()) if p.role == "admin" or d["center"] == p.center]})


@bp.post("/devices")
def add_device():
    """Register a device (or give it a new token); the token is shown this once."""
    p = require(MANAGERS)
    data = body()
    name = field(data, "name", str, required=True, max_len=64)
    kind = field(data, "kind", str, required=True, choices=DEVICE_KINDS)
    center = field(data, "center", str, max_len=64) or p.center
    if p.role != "admin" and center != p.center:
        raise ApiError("forbidden", f"{p.name} may add devices of centre {p.center} only", 403)
    token = new_device_token()
    hall().execute_district("add-device", {"name": name, "kind": kind, "center": center,
                                           "token": device_token_hash(token)}, by=p.actor)
    return jsonify({"name": name, "kind": kind, "center": center, "token": token}), 201


@bp.get("/catalog")
def get_catalog():
    """The catalogue as loaded (normalized), of every centre the caller may see; ?format=yaml for YAML."""
    p = require(MANAGERS)
    centers = []
    for state in hall().states():
        if p.role == "admin" or state.id == p.center:
            centers.append(state.config.raw)
    if request.args.get("format") == "yaml":
        text = yaml.safe_dump({"centers": centers}, allow_unicode=True, sort_keys=False)
        return text, 200, {"Content-Type": "application/yaml; charset=utf-8"}
    return jsonify({"centers": centers})


@bp.post("/catalog")
def load_catalog():
    """Load a YAML catalogue (the body, as text): every centre is validated before any is applied."""
    p = require(MANAGERS)
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise ApiError("bad_input", "send the catalogue's YAML as the body", 400)
    if len(raw) > CATALOG_MAX:
        raise ApiError("bad_input", "the catalogue is too large", 400)
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
        centers = catalog.parse(data)
    except UnicodeDecodeError:
        raise ApiError("bad_catalog", "the catalogue must be UTF-8 text", 400) from None
    except yaml.YAMLError as e:
        raise ApiError("bad_catalog", f"not valid YAML: {e}", 400) from None
    except ConfigError as e:
        raise ApiError("bad_catalog", str(e), 400) from None
    if p.role != "admin":
        others = [c["id"] for c in centers if c["id"] != p.center]
        if others:
            raise ApiError("forbidden", f"{p.name} may load the catalogue of centre {p.center} only "
                                        f"(the file has {', '.join(others)})", 403)
    changed = catalog.load(hall(), centers, by=p.actor)
    return jsonify({"centers": [c["id"] for c in centers], "changed": changed})
