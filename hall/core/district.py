"""The district's own stream: who may log in and which devices may act.

Kept as events like a centre's queues, so that every `hall serve` process sharing a store sees
the same users and devices; secrets arrive here already hashed.
"""
import re
from dataclasses import dataclass, field

from .errors import bad_input, conflict

STREAM = "@district"
USER_ROLES = ("staff", "manager", "admin")
DEVICE_KINDS = ("kiosk", "display", "bridge")
NAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


@dataclass(slots=True)
class District:
    version: int = 0
    users: dict = field(default_factory=dict)     # username → {role, center, name, staff_no, password}
    devices: dict = field(default_factory=dict)   # name → {kind, center, token}
    tokens: dict = field(default_factory=dict)    # token hash → device name

    def to_dict(self):
        return {"version": self.version, "users": self.users, "devices": self.devices}

    @classmethod
    def from_dict(cls, d):
        s = cls(version=d["version"], users=d["users"], devices=d["devices"])
        s.tokens = {v["token"]: k for k, v in s.devices.items()}
        return s


def decide(state, name, args, at, by, centers):
    if name == "add-user":
        return _add_user(state, at, by, centers, **args)
    if name == "add-device":
        return _add_device(state, at, by, centers, **args)
    raise bad_input(f"unknown command {name!r}")


def _add_user(state, at, by, centers, username, role, password, center=None, name=None, staff_no=None):
    if not isinstance(username, str) or not NAME_RE.match(username):
        raise bad_input("user names are 1–64 letters, digits or _ . @ -")
    if role not in USER_ROLES:
        raise bad_input(f"role must be one of {', '.join(USER_ROLES)}")
    if role == "admin":
        center = None
    elif center not in centers:
        raise bad_input(f"a {role} needs the id of an existing centre (--center)")
    user = {"role": role, "center": center, "name": name or username, "staff_no": staff_no,
            "password": password}
    event = "user_updated" if username in state.users else "user_added"
    return [{"type": event, "at": at, "by": by, "username": username, **user}], username


def _add_device(state, at, by, centers, name, kind, center, token):
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise bad_input("device names are 1–64 letters, digits or _ . @ -")
    if kind not in DEVICE_KINDS:
        raise bad_input(f"kind must be one of {', '.join(DEVICE_KINDS)}")
    if center not in centers:
        raise bad_input("a device needs the id of an existing centre (--center)")
    if name in state.devices and state.devices[name]["center"] != center:
        raise conflict(f"device {name!r} belongs to centre {state.devices[name]['center']!r}")
    return [{"type": "device_added", "at": at, "by": by, "name": name, "kind": kind,
             "center": center, "token": token}], name


def apply(state, e):
    if e["type"] in ("user_added", "user_updated"):
        state.users[e["username"]] = {k: e[k] for k in ("role", "center", "name", "staff_no", "password")}
    elif e["type"] == "device_added":
        old = state.devices.get(e["name"])
        if old:
            state.tokens.pop(old["token"], None)
        state.devices[e["name"]] = {"kind": e["kind"], "center": e["center"], "token": e["token"]}
        state.tokens[e["token"]] = e["name"]
    state.version = e["seq"]
    return state
