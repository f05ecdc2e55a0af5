"""Users, devices and tokens: password hashing, signed user tokens, hashed device tokens.

Passwords are hashed with scrypt (a memory-hard KDF from the standard library). A user token
is signed with the district's secret and names the user, role and centre; it is checked
against the current user record, so a changed role or password ends old tokens. A device
token is random; the district keeps only its SHA-256.
"""
import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import URLSafeTimedSerializer, BadSignature

SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
TOKEN_MAX_AGE_S = 16 * 3600          # one working day and then some
DEVICE_PREFIX = "dev_"


def hash_password(password):
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **SCRYPT)
    return "scrypt${n}${r}${p}${salt}${digest}".format(
        **SCRYPT, salt=base64.b64encode(salt).decode(), digest=base64.b64encode(digest).decode())


def verify_password(password, stored):
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), dklen=32,
                             n=int(n), r=int(r), p=int(p))
    except (ValueError, AttributeError):
        return False
    return hmac.compare_digest(got, base64.b64decode(digest))


def new_device_token():
    return DEVICE_PREFIX + secrets.token_urlsafe(24)


def device_token_hash(token):
    return hashlib.sha256(token.encode()).hexdigest()


def _signer(secret):
    return URLSafeTimedSerializer(secret, salt="hall-user-token")


def _password_tag(stored):
    # a token names the password it was issued under: changing the password ends it
    return hashlib.sha256(stored.encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Principal:
    kind: str          # "user" or "device"
    name: str
    role: str          # staff | manager | admin | kiosk | display | bridge
    center: str        # None for an admin: every centre
    display_name: str = None
    staff_no: str = None

    @property
    def actor(self):
        return f"{self.kind}:{self.name}"

    def may_act_in(self, center):
        return self.center is None or self.center == center

    def staff_card(self):
        return {"username": self.name, "name": self.display_name or self.name, "staff_no": self.staff_no}


def user_token(secret, username, user):
    return _signer(secret).dumps({"u": username, "p": _password_tag(user["password"])})


def principal_for(token, secret, district):
    """The principal a bearer token stands for, or None if it stands for no one now."""
    if not token:
        return None
    if token.startswith(DEVICE_PREFIX):
        name = district.tokens.get(device_token_hash(token))
        if name is None:
            return None
        d = district.devices[name]
        return Principal("device", name, d["kind"], d["center"])
    try:
        data = _signer(secret).loads(token, max_age=TOKEN_MAX_AGE_S)
        user = district.users.get(data["u"])
    except (BadSignature, KeyError, TypeError):
        return None
    if user is None or data.get("p") != _password_tag(user["password"]):
        return None
    return Principal("user", data["u"], user["role"], user["center"], user["name"], user["staff_no"])


def holder_of(secret, kind, value):
    """A keyed hash standing for a citizen's phone number or openid in the limits and bookings.

    Keyed, because a plain hash of an 11-digit phone number is undone by trying them all.
    """
    mac = hmac.new(secret.encode(), f"{kind}:{value}".encode(), hashlib.sha256)
    return f"{kind}:{mac.hexdigest()[:20]}"
