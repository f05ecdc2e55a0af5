"""Resident ID cards at the edge: the number is checked and turned into a keyed hash here, at once.

Nothing past this module sees an ID number or a full name: the core gets `person` (an HMAC of
the number with the hall's secret, as phone numbers become `holder`s), people see masked forms
(张*, 110101********1234), and a kiosk page gets a short-lived signed reference that stands for the
card it just read. The number's own digits give the birth date, so the age needs nothing else.
"""
import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..auth import holder_of
from ..public.privacy import mask_name
from .common import ApiError

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
REFERENCE_TTL_S = 120            # a card's reference on a kiosk page: long enough to choose a service
_FORMAT = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class Identity:
    """A card holder as the hall may know them."""
    person: str                  # keyed hash of the ID number
    age: int
    name_masked: str
    number_masked: str


def check_digit_ok(number):
    """GB 11643: 18 characters, a real birth date, and the check character the first 17 give."""
    if not isinstance(number, str) or not _FORMAT.match(number):
        return False
    if CHECK_CHARS[sum(int(d) * w for d, w in zip(number, WEIGHTS)) % 11] != number[17]:
        return False
    try:
        date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return True


def age_on(number, today):
    born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def mask_number(number):
    return number[:6] + "*" * 8 + number[-4:]


def identify(secret, number, name, now, timezone):
    """Identity of a card read; 400 `bad_id_number` for a number GB 11643 refuses."""
    number = number.strip().upper() if isinstance(number, str) else number
    if not check_digit_ok(number):
        raise ApiError("bad_id_number", "身份证号码校验不通过，请重新刷卡 / the ID number is not valid", 400)
    if not isinstance(name, str) or not name.strip() or len(name) > 30:
        raise ApiError("bad_input", "id_card.name must be the name on the card", 400)
    today = datetime.fromtimestamp(now, ZoneInfo(timezone)).date()
    return Identity(person=holder_of(secret, "idcard", number), age=age_on(number, today),
                    name_masked=mask_name(name), number_masked=mask_number(number))


def reference(secret, device, identity, now, ttl_s=REFERENCE_TTL_S):
    """A signed token that stands for this card on this kiosk for `ttl_s` (holds no clear data)."""
    payload = json.dumps({"d": device, "p": identity.person, "a": identity.age, "n": identity.name_masked,
                          "m": identity.number_masked, "e": round(now + ttl_s, 3)},
                         ensure_ascii=False, separators=(",", ":")).encode()
    body = base64.urlsafe_b64encode(payload).decode().rstrip("=")
    return f"{body}.{_sign(secret, body)}"


def from_reference(secret, device, ref, now):
    """The Identity a reference stands for; 400 when it is forged, for another kiosk, or too old."""
    try:
        body, sig = ref.split(".")
        if not hmac.compare_digest(sig, _sign(secret, body)):
            raise ValueError
        d = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (ValueError, AttributeError, TypeError):
        raise ApiError("bad_id_card", "the ID card reference is not valid: lay the card again", 400) from None
    if d["d"] != device:
        raise ApiError("bad_id_card", "that card was read at another kiosk", 400)
    if now > d["e"]:
        raise ApiError("id_card_expired", "请重新刷身份证 / lay the ID card on the reader again", 400)
    return Identity(person=d["p"], age=d["a"], name_masked=d["n"], number_masked=d["m"])


def _sign(secret, body):
    mac = hmac.new(secret.encode(), b"idcard-ref:" + body.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode()


def from_request(raw, principal, secret, now, timezone):
    """A ticket request's `id_card` (models.IdCard: {"number", "name"} or {"ref"}), from a kiosk only."""
    if principal is None or principal.role != "kiosk":
        raise ApiError("forbidden", "an ID card is read at the hall's kiosks", 403)
    if raw.ref is not None:
        return from_reference(secret, principal.name, raw.ref, now)
    return identify(secret, raw.number, raw.name, now, timezone)
