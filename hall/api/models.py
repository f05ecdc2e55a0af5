"""The shapes of the API's requests and answers, declared once (pydantic models).

`hall/api/spec.py` validates requests with them and writes the OpenAPI document from them; the
tests check every answer they get against that document. Request models are strict (a number is
not text, `true` is not 1) and ignore fields they do not name; answer models name the contract's
fields and allow more.
"""
import math
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from ..core.config import CATEGORIES, MODES
from ..core.decide import DEVICE_STATUSES, POSITIONS, PRIORITIES
from ..core.district import DEVICE_KINDS, USER_ROLES
from ..core.followups import FINDINGS, OUTCOMES, RESULTS
from ..core.moves import TAKES
from ..core.state import STATUSES


def text(max_len, **kw):
    return Annotated[str, Field(max_length=max_len, **kw)]


Id = text(64)
Latitude = Annotated[float, Field(ge=-90, le=90)]
Longitude = Annotated[float, Field(ge=-180, le=180)]


class Body(BaseModel):
    """A request's JSON object."""
    model_config = ConfigDict(strict=True, extra="ignore")


class Query(BaseModel):
    """Query arguments arrive as text: numbers are read from it."""
    model_config = ConfigDict(extra="ignore")


class Answer(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- requests ---

class Empty(Body):
    """No fields; a body, when sent, must still be a JSON object."""


class Login(Body):
    username: Id
    password: text(256)


# an ID number as typed or read: room for spaces around it, the GB 11643 check (400 bad_id_number) decides
IdNumber = text(32)


class IdCard(Body):
    """A card read on a kiosk's reader, `{"number", "name"}`, or `{"ref"}` from the kiosk page's
    `id_card` message (the number is checked and hashed at the edge, never kept)."""
    number: IdNumber | None = None
    name: text(30) | None = None
    ref: text(600) | None = None


class IssueTicket(Body):
    """`queue` or `item`, or an `appointment_code` to check in with; `phone`/`openid` and
    `location` only matter for a remote (phone) ticket; `id_card` only from a kiosk device."""
    queue: Id | None = None
    item: Id | None = None
    priority: Literal[PRIORITIES] | None = None
    appointment_code: text(12) | None = None
    phone: text(20) | None = Field(None, description="a remote ticket's holder (limits per phone)")
    openid: Id | None = None
    # strict mode takes a JSON list for a tuple only in lax mode: these two are read as JSON gives them
    location: Annotated[tuple[Latitude, Longitude], Field(strict=False, description="[lat, lon]")] | None = None
    id_card: IdCard | None = Field(None, description=(
        "kiosk device only: the card read on its reader; alone, checks in today's booking made with that "
        "ID number; 400 bad_id_number, 409 already_waiting (error.number: the ticket already held)"))


class Evaluation(Body):
    score: Annotated[int, Field(ge=1, le=5, description="5 非常满意 … 1 非常不满意")]
    comment: text(500) | None = None
    options: Annotated[list[text(32)], Field(max_length=16, description=(
        "option codes of GET /evaluation/options for this score; at least one for 1 or 2 "
        "(400 reason_required); 400 unknown_option"))] = []


class NumberEvaluation(Evaluation):
    number: Annotated[str, Field(min_length=2, max_length=8, pattern=r"^[A-Za-z][0-9]{1,4}$",
                                 description="today's ticket number, as printed (A001)")]


class EvaluationOption(Answer):
    code: str
    text: str


class EvaluationLevel(Answer):
    score: int
    name: str
    options: list[EvaluationOption]


class EvaluationOptions(Answer):
    levels: list[EvaluationLevel]


class IdempotencyKey(BaseModel):
    idempotency_key: str | None = Field(None, alias="Idempotency-Key", min_length=8, max_length=128,
                                        pattern=r"^[^\x00-\x1f\x7f]+$",
                                        description="a retry with the same key returns the same ticket")


class Booking(Body):
    queue: Id
    day: Annotated[str, Field(max_length=10, description="YYYY-MM-DD")]
    slot: Annotated[str, Field(max_length=11, examples=["09:00-10:00"])]
    name: text(20)
    phone: text(20)
    id_number: IdNumber | None = Field(None, description=(
        "optional: the booking is then checked in by laying the ID card at a kiosk (only a keyed hash is "
        "kept); 400 bad_id_number"))


class CancelBooking(Body):
    phone: text(20) | None = None


class SlotsQuery(Query):
    queue: Id
    day: Annotated[str, Field(min_length=10, max_length=10, description="YYYY-MM-DD; today when absent")] | None = None


class Pause(Body):
    reason: text(200) | None = None


class CallTicket(Body):
    ticket: Id


class Recall(Body):
    ticket: Id | None = None


class Transfer(Body):
    queue: Id
    position: Literal[POSITIONS] | None = None


class AssignQueues(Body):
    queues: list[Id]
    mode: Literal[MODES] | None = None


class EventsQuery(Query):
    after: Annotated[int, Field(ge=0, le=2 ** 62)] = 0
    limit: Annotated[int, Field(ge=1, le=1000)] = 1000


class DeviceStatus(Body):
    status: Literal[DEVICE_STATUSES]
    detail: text(200) | None = None
    device: Id | None = None


class AlertStep(Body):
    alert: Id
    note: text(500) | None = None


class FollowupStep(Body):
    followup: text(128)
    note: text(500)
    finding: Literal[FINDINGS] | None = None
    outcome: Literal[OUTCOMES] | None = Field(None, description="required to review")
    result: Literal[RESULTS] | None = Field(None, description="required for a return visit (回访): the citizen's "
                                            "answer")


class Move(Body):
    from_: Id = Field(alias="from")
    to: Id
    take: Literal[TAKES] | None = None
    count: int | None = None


class DaysQuery(Query):
    days: Annotated[int, Field(ge=0, le=31)] = 7


class FreshQuery(Query):
    fresh: str | None = None


class AuditQuery(Query):
    from_: str | None = Field(None, alias="from", description="a time like 2026-11-26T09:00")
    to: str | None = None
    window: Annotated[int, Field(ge=1, le=9999)] | None = None
    staff: str | None = None
    ticket: str | None = None
    type: str | None = Field(None, description="event types, comma-separated")
    limit: Annotated[int, Field(ge=1, le=2000)] = 500


class SaveUser(Body):
    username: Id
    role: Literal[USER_ROLES] | None = None
    center: Id | None = None
    name: Id | None = None
    staff_no: text(32) | None = None
    password: text(256) | None = None


class AddDevice(Body):
    name: Id
    kind: Literal[DEVICE_KINDS]
    center: Id | None = None


def _lat_lon(text):
    lat, comma, lon = text.partition(",")
    try:
        point = (float(lat), float(lon))
    except ValueError:
        point = None
    if not comma or point is None or not all(map(math.isfinite, point)) \
            or not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
        raise ValueError("must be 'LAT,LON' in degrees, e.g. 23.129,113.264")
    return point


class CentersQuery(Query):
    near: Annotated[str, Field(max_length=64, description="LAT,LON: nearest centres first, each with `distance_m`",
                               examples=["23.129,113.264"]),
                    AfterValidator(_lat_lon)] | None = None
    limit: Annotated[int, Field(ge=1, le=500, description="at most this many centres")] | None = None
    offset: Annotated[int, Field(ge=0, le=1_000_000, description="skip this many first")] = 0


class CatalogQuery(Query):
    format: Literal["json", "yaml"] | None = None


# --- answers ---

class ErrorDetail(BaseModel):
    """Some refusals add details (409 already_waiting: `number`, the ticket the person already holds)."""
    model_config = ConfigDict(extra="allow")
    code: str
    message: str


class Error(BaseModel):
    error: ErrorDetail


class Ticket(Answer):
    id: str
    number: str = Field(examples=["A001"])
    center: str
    queue: str
    status: Literal[STATUSES]
    priority: Literal[PRIORITIES] | None = None
    ahead: int
    est_wait_s: int | None
    window: int | None
    issued_at: str = Field(json_schema_extra={"format": "date-time"})
    called_at: str | None


class Queue(Answer):
    id: str
    prefix: str
    name: str
    category: Literal[CATEGORIES]
    waiting: int
    est_wait_s: int | None
    open_windows: int
    appointments: dict | None = Field(None, description="bookable slots and capacity, null when none")


class Staff(Answer):
    name: str | None
    staff_no: str | None


class Window(Answer):
    number: int
    name: str
    state: Literal["open", "paused", "closed"]
    ticket: str | None
    queues: list[str] = []
    mode: Literal[MODES] | None = None
    staff: Staff | None = None


class CenterSummary(Answer):
    id: str
    name: str
    queues: list[Queue]
    distance_m: int | None = Field(None, description="great-circle metres from `near` (only when asked with it; "
                                                     "null for a centre with no location)")
    closed_today: bool | None = Field(None, description="the centre does not open at all today (a holiday, its "
                                                        "day off or its own closed date)")
    holiday: str | None = Field(None, description="the public holiday that closes it today (国庆节 …)")
    holiday_en: str | None = Field(None, description="that holiday's English name (National Day …)")
    next_open: str | None = Field(None, description="when it opens next, while it is closed (local ISO time)")


class Center(CenterSummary):
    windows: list[Window]


class Centers(Answer):
    centers: list[CenterSummary]


class Item(Answer):
    id: str
    name: str
    queue: str
    materials: list[str]


class Items(Answer):
    items: list[Item]


class Token(Answer):
    token: str
    role: str
    center: str | None


class Me(Answer):
    kind: str
    name: str
    role: str
    center: str | None


class Appointment(Answer):
    code: str
    queue: str
    day: str
    slot: str
    name: str = Field(examples=["张*"])
    phone: str = Field(examples=["138****5678"])
    status: Literal["booked", "cancelled", "checked_in", "missed"]
    ticket: str | None


class Slot(Answer):
    slot: str
    capacity: int
    booked: int
    available: int


class Slots(Answer):
    queue: str
    day: str
    slots: list[Slot]


class Events(Answer):
    events: list[dict]
    last_seq: int
    more: bool


class DeviceReported(Answer):
    device: str
    status: Literal[DEVICE_STATUSES]


class Anything(Answer):
    """An object whose fields the endpoint's own description gives."""


class Moved(Answer):
    moved: int
    numbers: list[str]
    seq: int


class Alerts(Answer):
    active: list[dict]
    history: list[dict]


class Followups(Answer):
    followups: list[dict]


class User(Answer):
    username: str
    role: Literal[USER_ROLES]
    center: str | None
    name: str | None
    staff_no: str | None


class Users(Answer):
    users: list[User]


class Device(Answer):
    name: str
    kind: Literal[DEVICE_KINDS]
    center: str | None


class NewDevice(Device):
    token: str


class Devices(Answer):
    devices: list[Device]


class Catalog(Answer):
    centers: list[dict]


class CatalogLoaded(Answer):
    centers: list[str]
    changed: list[str]


class AuditPage(Answer):
    events: list[dict]
    total: int
    more: bool
