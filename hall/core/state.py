"""A centre's live state: what the fold of its events builds. Plain data, no behaviour but lookups."""
from dataclasses import dataclass, field, fields, asdict

from .config import CenterConfig

WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED = (
    "waiting", "called", "serving", "done", "no_show", "cancelled")
STATUSES = (WAITING, CALLED, SERVING, DONE, NO_SHOW, CANCELLED)
AT_WINDOW = (CALLED, SERVING)
# Call order between classes: 绿色通道 first, then citizens checked in for their appointment, then
# walk-ins. A ticket's line is (queue, ticket.priority); the contract's `priority` field shows
# "appointment" tickets as "normal" (see views).
CLASSES = ("priority", "appointment", "normal")
OPEN, PAUSED, CLOSED = "open", "paused", "closed"


@dataclass(slots=True)
class Ticket:
    id: str
    number: str
    queue: str
    priority: str
    channel: str
    status: str
    issued_at: float
    since: float                  # the key "waited longest" compares; a transfer to the head lowers it
    item: str = None
    window: int = None
    called_at: float = None
    started_at: float = None
    finished_at: float = None
    recalls: int = 0
    transfers: int = 0
    score: int = None
    unconfirmed_since: float = None   # its print failed and the citizen has not confirmed the number
    holder: str = None            # who took it remotely (a keyed hash of phone or openid), for the limits
    appointment: str = None       # the booking code it was checked in with
    person: str = None            # who laid their ID card for it (a keyed hash of the ID number), for the limits


@dataclass(slots=True)
class Window:
    number: int
    name: str
    queues: list
    mode: str
    state: str = CLOSED
    ticket: str = None            # id of the ticket called or served here
    staff: dict = None            # {"username", "name", "staff_no"} while open
    pause_reason: str = None
    since: float = None           # when the state last changed
    served: int = 0               # finished today


@dataclass(slots=True)
class CenterState:
    id: str
    version: int = 0
    config: CenterConfig = None
    day: str = None
    day_start: float = 0.0
    day_end: float = 0.0
    windows: dict = field(default_factory=dict)     # number → Window
    tickets: dict = field(default_factory=dict)     # id → Ticket (today's)
    numbers: dict = field(default_factory=dict)     # number → id (today's)
    lines: dict = field(default_factory=dict)       # (queue, class) → [ticket ids], call order
    issued: dict = field(default_factory=dict)      # queue → tickets issued today
    service: dict = field(default_factory=dict)     # queue → [finished today, total service s]
    idem: dict = field(default_factory=dict)        # idempotency key → [ticket id, fingerprint]
    devices: dict = field(default_factory=dict)     # device name → last report
    holders: dict = field(default_factory=dict)     # holder → [ticket ids today] (remote-ticket limits)
    # derived, not stored: tickets with unconfirmed_since set, so a call need not scan every line
    unconfirmed: set = field(default_factory=set)
    bookings: dict = field(default_factory=dict)    # code → booking (today's and future days')
    misses: dict = field(default_factory=dict)      # holder or person → [days an appointment or ticket was missed]
    # 电子监察 and 好差评 (hall.core.supervision, hall.core.followups): kept across days
    alerts: dict = field(default_factory=dict)      # alert id → active alert
    followups: dict = field(default_factory=dict)   # follow-up id → a bad rating's follow-up
    watch: dict = field(default_factory=dict)       # supervision's marks (windows free since, …)
    # 好差评 (hall.core.ratings): what rating a served ticket needs, kept for its rating window
    rateable: dict = field(default_factory=dict)    # ticket id → {number, queue, window, staff, …, rated}

    def line(self, queue, cls):
        return self.lines.get((queue, cls), ())

    def waiting(self, queue):
        return sum(len(self.line(queue, c)) for c in CLASSES)

    def ticket_by_ref(self, ref):
        """A ticket by id or by today's number (what staff type: 'A015')."""
        t = self.tickets.get(ref)
        if t is None and isinstance(ref, str):
            tid = self.numbers.get(ref.strip().upper())
            t = self.tickets.get(tid) if tid else None
        return t

    def next_missed_at(self):
        """When the earliest open booking turns into a missed appointment (inf when none)."""
        return min((b["miss_at"] for b in self.bookings.values() if b["status"] == "booked"), default=float("inf"))

    def is_today(self, at):
        return self.day_start <= at < self.day_end

    # --- snapshots: the state as JSON-able data and back ---
    def to_dict(self):
        return {
            "id": self.id, "version": self.version,
            "config": self.config.raw if self.config else None,
            "day": self.day, "day_start": self.day_start, "day_end": self.day_end,
            "windows": [asdict(w) for w in self.windows.values()],
            "tickets": [asdict(t) for t in self.tickets.values()],
            "lines": [[q, c, ids] for (q, c), ids in self.lines.items()],
            "issued": self.issued, "service": self.service, "idem": self.idem,
            "devices": self.devices, "holders": self.holders, "bookings": self.bookings,
            "misses": self.misses, "alerts": self.alerts, "followups": self.followups, "watch": self.watch,
            "rateable": self.rateable,
        }

    @classmethod
    def from_dict(cls, d):
        s = cls(id=d["id"], version=d["version"], day=d["day"], day_start=d["day_start"],
                day_end=d["day_end"], issued=d["issued"], service=d["service"], idem=d["idem"],
                devices=d["devices"], holders=d.get("holders", {}), bookings=d.get("bookings", {}),
                misses=d.get("misses", {}), alerts=d.get("alerts", {}), followups=d.get("followups", {}),
                watch=d.get("watch", {}), rateable=d.get("rateable", {}))
        s.config = CenterConfig.from_dict(d["config"]) if d["config"] else None
        s.windows = {w["number"]: Window(**w) for w in d["windows"]}
        s.tickets = {t["id"]: Ticket(**t) for t in d["tickets"]}
        s.numbers = {t.number: t.id for t in s.tickets.values()}
        s.unconfirmed = {t.id for t in s.tickets.values() if t.unconfirmed_since is not None}
        s.lines = {(q, c): list(ids) for q, c, ids in d["lines"]}
        return s


TICKET_FIELDS = tuple(f.name for f in fields(Ticket))
