"""Administration: staff accounts, device tokens and the catalogue, through the district's stream.

An administrator may do anything; a manager may add and change staff accounts and devices of
their own centre, and load catalogue entries for it. Password hashes and token hashes never leave.
"""
import yaml
from flask import Blueprint, jsonify, request

from .. import catalog
from ..api import models as m
from ..api.common import ApiError, caller, hall, require
from ..api.spec import args, declare, payload
from ..auth import device_token_hash, hash_password, new_device_token
from ..core.config import ConfigError

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


def _manager():
    require(MANAGERS)


@bp.get("/users")
@declare({200: m.Users}, errors=(401, 403))
def users():
    """staff accounts (a manager sees their centre's)

    Who: a manager or administrator."""
    p = require(MANAGERS)
    listed = hall().district().users
    return jsonify({"users": [_user_view(n, u) for n, u in sorted(listed.items())
                              if p.role == "admin" or u["center"] == p.center]})


@bp.post("/users")
@declare({200: m.User, 201: m.User}, json=m.SaveUser, errors=(400, 401, 403, 409), guard=_manager)
def save_user():
    """add a user, or change one: a new password, another centre, role, name or 工号

    Who: an administrator, or a manager for the staff of their centre."""
    p, data = caller(), payload()
    username = data.username
    old = hall().district().users.get(username)
    if old is not None:
        _may_manage(p, old["role"], old["center"])
    role = data.role or (old["role"] if old else None)
    if role is None:
        raise ApiError("bad_input", "'role' is required for a new user", 400)
    center = data.center if "center" in data.model_fields_set else (old["center"] if old else p.center)
    _may_manage(p, role, center)
    password = data.password
    if password is not None and len(password) < MIN_PASSWORD:
        raise ApiError("bad_input", f"the password needs at least {MIN_PASSWORD} characters", 400)
    if password is None and old is None:
        raise ApiError("bad_input", "'password' is required for a new user", 400)
    args = {"username": username, "role": role, "center": center,
            "name": data.name or (old["name"] if old else None),
            "staff_no": data.staff_no or (old["staff_no"] if old else None),
            # an unchanged password keeps its hash, and so the tokens issued under it
            "password": hash_password(password) if password is not None else old["password"]}
    hall().execute_district("add-user", args, by=p.actor)
    return jsonify(_user_view(username, hall().district().users[username])), (200 if old else 201)


@bp.get("/devices")
@declare({200: m.Devices}, errors=(401, 403))
def devices():
    """devices (a manager sees their centre's)

    Who: a manager or administrator."""
    p = require(MANAGERS)
    listed = hall().district().devices
    return jsonify({"devices": [{"name": n, "kind": d["kind"], "center": d["center"]}
                                for n, d in sorted(listed.items()) if p.role == "admin" or d["center"] == p.center]})


@bp.post("/devices")
@declare({201: m.NewDevice}, json=m.AddDevice, errors=(400, 401, 403), guard=_manager)
def add_device():
    """register a device, or give it a new token (shown this once)

    Who: a manager (devices of their centre) or administrator."""
    p, data = caller(), payload()
    name, kind = data.name, data.kind
    center = data.center or p.center
    if p.role != "admin" and center != p.center:
        raise ApiError("forbidden", f"{p.name} may add devices of centre {p.center} only", 403)
    token = new_device_token()
    hall().execute_district("add-device", {"name": name, "kind": kind, "center": center,
                                           "token": device_token_hash(token)}, by=p.actor)
    return jsonify({"name": name, "kind": kind, "center": center, "token": token}), 201


@bp.get("/catalog")
@declare({200: m.Catalog}, query=m.CatalogQuery, errors=(400, 401, 403), guard=_manager)
def get_catalog():
    """the catalogue as loaded (normalized), of every centre the caller may see; ?format=yaml for YAML

    Who: a manager or administrator."""
    p = caller()
    centers = []
    for state in hall().states():
        if p.role == "admin" or state.id == p.center:
            centers.append(state.config.raw)
    if args().format == "yaml":
        text = yaml.safe_dump({"centers": centers}, allow_unicode=True, sort_keys=False)
        return text, 200, {"Content-Type": "application/yaml; charset=utf-8"}
    return jsonify({"centers": centers})


@bp.post("/catalog")
@declare({200: m.CatalogLoaded}, errors=(400, 401, 403, 409), guard=_manager)
def load_catalog():
    """load a YAML catalogue (the body, as text): every centre is validated before any is applied

    Who: an administrator, or a manager for their centre."""
    p = caller()
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
