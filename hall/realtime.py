"""Real-time pushes over Socket.IO: what the hall's screens, the staff console and bridges hear.

Connecting
    `auth={"center": ID}` joins the centre's room; `"window": N` instead joins only that
    window's room (a window screen); `"token"` (a staff user's or a device's bearer token of the
    centre) also joins the centre's staff room, which hears ticket details. `"since": SEQ` (a
    reconnecting client's version) asks the connect snapshot to carry the calls made meanwhile.
    An unknown centre or window, or a token that stands for no one here, refuses the connection.

Server events (each carries `seq`; all but a requested snapshot also carry `prev`)
    snapshot   the whole picture: `views.center` + `calls` (recent calls, newest first) + `voice`
               (+ `missed`: calls after the `since` the client gave; + `tickets` at windows, for
               the staff room). Sent on connect and on a client's `snapshot` request
               ({"since": SEQ}); pushed to every room when the catalogue changes or a day starts.
    call       {ticket (number), window, window_name, queue, queue_name, recall, count, at, audio}
               `audio`: the path of the spoken announcement made on the hall (displays/voice), or
               null when no voice pack can say it (the screens then use their own voices)
    window     `views.window` of a window that changed
    queue      `views.queue` of a queue whose waiting count or estimate changed
    seq        nothing on show changed (an evaluation, a device report)
    ticket     `views.ticket` of a ticket at (or just leaving) a window: staff room only
    A command sends each room it concerns its messages in one burst, all with the command's
    `seq` and `prev`: its call first (the one thing a hall waits for), then a `window` for each
    window it changed and a `queue` for each queue whose count or estimate it changed (`seq`
    alone when nothing on show changed). A window room hears the call at its window and that
    window's `window`.

The sequence rule
    The centre's version is the `seq` of its last event. A command appends events prev+1..seq,
    and its messages carry that `seq` and `prev`. A client at version `v`:
      - m.prev == v: the first message of the next command: apply it, v := m.seq;
      - m.seq == v: a further message of the command just applied (or, through a message queue,
        a late copy of what a snapshot already shows): apply it; views are whole, so applying
        one twice changes nothing, and a call is news only when its seq is above every call
        already heard, so an old call is never replayed;
      - m.seq < v: ignore it;
      - otherwise messages were lost: ask for a snapshot {"since": v} and drop messages until it
        comes (its `missed` list brings the calls that were lost).
    A snapshot sets v := its seq (a pushed one is whole, so it is taken whatever came before).
    A window room hears only what touches its window, so its clients apply anything not older
    than v; the staff room's `ticket` messages are whole views: keep the newest per ticket.
    `displays/static/hall-live.js` implements this for the browsers, `firmware_bridge/model.py`
    for the bridge.

Pushes are emitted by the process that appended, from the gateway's listener hook, which runs
under the centre lock in seq order; with a message queue (Redis, hall/message_queue.py) a command's
messages are one publish, and every process relays them to its own clients.
"""
import gc
import json
import logging
import time

from flask import current_app, request
from flask_socketio import SocketIO, join_room
from socketio.exceptions import ConnectionRefusedError

from . import views
from .message_queue import NAMESPACE, RedisQueue, fan_out
from .auth import principal_for
from .core.config import VOICE_TEMPLATES
from .core.errors import Refused
from .core.state import AT_WINDOW
from .store import Unavailable

log = logging.getLogger(__name__)

RECENT_CALLS = 10           # calls a snapshot shows
MISSED_MAX_EVENTS = 500     # a client further behind than this just gets the picture
MISSED_MAX_AGE_S = 120      # calls older than this are history, not news to announce
SNAPSHOT_TYPES = ("center_configured", "day_started")
STAFF_ROLES = ("staff", "manager", "admin", "bridge")
SNAPSHOT_BURST, SNAPSHOT_EVERY_S = 5, 2.0   # requests a client may make at once, and the refill


def center_room(cid):
    return f"center:{cid}"


def window_room(cid, number):
    return f"center:{cid}:window:{number}"


def staff_room(cid):
    return f"center:{cid}:staff"


def kiosk_room(cid, device):
    """One kiosk's own pages (connected with its device token): they alone hear its `id_card`."""
    return f"center:{cid}:kiosk:{device}"


def agent_room(cid, device):
    """The kiosk agent of one kiosk (its device token and `"agent": true`): it hears `print`."""
    return f"center:{cid}:kiosk:{device}:agent"


# --- what a command's events mean to the screens (pure) ---

def voice(state):
    v = (state.config.raw.get("voice") or {})
    lang = v.get("lang") or "zh-CN"
    return {"lang": lang, "template": v.get("template") or VOICE_TEMPLATES[lang], "repeat": v.get("repeat") or 2}


def call_message(state, e):
    """A `ticket_called`/`ticket_recalled` event as the screens hear it (never the ticket's id)."""
    cfg = state.config
    w = cfg.windows.get(e["window"])
    q = cfg.queues.get(e["queue"])
    return {"ticket": e["number"], "window": e["window"], "window_name": w["name"] if w else f"{e['window']}号窗口",
            "queue": e["queue"], "queue_name": q.name if q else e["queue"],
            "recall": e["type"] == "ticket_recalled", "count": e.get("count", 0), "at": e["at"]}


def recent_calls(state, limit=RECENT_CALLS):
    called = [t for t in state.tickets.values() if t.called_at is not None and t.window is not None]
    called.sort(key=lambda t: t.called_at, reverse=True)
    out = []
    for t in called[:limit]:
        w = state.windows.get(t.window)
        out.append({"ticket": t.number, "window": t.window, "window_name": w.name if w else None,
                    "queue": t.queue, "queue_name": state.config.queues[t.queue].name,
                    "status": t.status, "at": t.called_at})
    return out


def snapshot(state, now, waits, missed=None, staff=False):
    snap = {**views.center(state, now, waits), "seq": state.version, "calls": recent_calls(state),
            "voice": voice(state), "now": now}
    if missed is not None:
        snap["missed"] = missed
    if staff:
        snap["tickets"] = [views.ticket(state, t, waits) for t in state.tickets.values() if t.status in AT_WINDOW]
    return snap


def _with_audio(state, m, audio):
    m["audio"] = audio(state, m) if audio else None
    return m


def missed_calls(state, events, now, audio=None):
    """The calls among `events` recent enough to announce to a client that was away."""
    return [_with_audio(state, {**call_message(state, e), "seq": e["seq"]}, audio) for e in events
            if e["type"] in ("ticket_called", "ticket_recalled") and now - e["at"] <= MISSED_MAX_AGE_S]


def _touched(state, events):
    """(windows, queues, tickets) whose views the events may have changed.

    A queue's estimate reads its waiting line, its service times and the windows serving it
    (open, idle or busy), so a window's change touches every queue it serves.
    """
    windows, queues, tickets = [], [], []

    def add(seq, x):
        if x is not None and x not in seq:
            seq.append(x)
    for e in events:
        t = state.tickets.get(e["ticket"]) if "ticket" in e else None
        if t is not None:
            add(tickets, t.id)
            add(queues, t.queue)
        add(queues, e.get("from_queue"))
        add(queues, e.get("to_queue"))
        for q in e.get("previous") or ():
            add(queues, q)
        if "window" in e and e["type"] != "ticket_recalled":
            add(windows, e["window"])
    for n in windows:
        w = state.windows.get(n)
        for q in (w.queues if w else ()):
            add(queues, q)
    return ([n for n in windows if n in state.windows], [q for q in queues if q in state.config.queues],
            tickets)


def pushes(state, events, now, waits, audio=None):
    """[(event name, payload, rooms)] for one command's events, in the order they are sent.

    `audio(state, call)` gives a call's announcement path (the app's voice; None in pure uses).

    The call goes first: a screen reads it first of the command's messages, which hall/server.py
    writes to each screen in one `send`.
    """
    cid = state.id
    stamp = {"seq": events[-1]["seq"], "prev": events[0]["seq"] - 1}
    centre = center_room(cid)
    if any(e["type"] in SNAPSHOT_TYPES for e in events):
        rooms = [centre] + [window_room(cid, n) for n in state.windows]
        return [("snapshot", {**snapshot(state, now, waits), **stamp}, rooms)]
    windows, queues, tickets = _touched(state, events)
    calls = [e for e in events if e["type"] in ("ticket_called", "ticket_recalled")]
    out = []
    if calls:
        e = calls[-1]
        out.append(("call", _with_audio(state, {**call_message(state, e), **stamp}, audio),
                    [centre, window_room(cid, e["window"])]))
    for n in windows:
        out.append(("window", {**views.window(state, state.windows[n]), **stamp}, [centre, window_room(cid, n)]))
    for q in queues:
        out.append(("queue", {**views.queue(state, state.config.queues[q], now, waits), **stamp}, [centre]))
    if not out:
        out.append(("seq", dict(stamp), [centre]))
    for tid in tickets:
        t = state.tickets[tid]
        if t.status in AT_WINDOW or any(e.get("window") is not None for e in events if e.get("ticket") == tid):
            out.append(("ticket", {**views.ticket(state, t, waits), **stamp}, [staff_room(cid)]))
    return out


# --- the Socket.IO server ---

def _allowed(info):
    """A small token bucket per connection: a snapshot is the dearest thing a client can ask for."""
    now = time.monotonic()
    info["allowance"] = min(SNAPSHOT_BURST, info["allowance"] + (now - info["at"]) / SNAPSHOT_EVERY_S)
    info["at"] = now
    if info["allowance"] < 1:
        return False
    info["allowance"] -= 1
    return True


class _Json:
    """Compact JSON that keeps Chinese readable (and a third shorter on the wire)."""

    @staticmethod
    def dumps(obj, **kw):
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))

    @staticmethod
    def loads(s, **kw):
        return json.loads(s)


def async_mode():
    """gevent (with gevent-websocket) where the process was patched for it (`hall serve`), else threads.

    Measured here (NOTES.md): gevent + gevent-websocket has the shortest tail at 1,000 clients;
    threads need a thread per client and wait far longer; eventlet is deprecated.
    """
    try:
        from gevent import monkey
    except ImportError:     # pragma: no cover - gevent is a dependency
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"


def init_app(app):
    """Create the app's Socket.IO server, its handlers, and the gateway listener that pushes."""
    mode = async_mode()
    url = app.config["REDIS_URL"]
    queue = {"client_manager": RedisQueue(url)} if url else {}
    sio = SocketIO(app, cors_allowed_origins=[], async_mode=mode, json=_Json, **queue)
    hub = _Hub(app, sio)
    sio.on("connect")(hub.on_connect)
    sio.on("disconnect")(hub.on_disconnect)
    sio.on("snapshot")(hub.on_snapshot)
    app.extensions["kiosk_agent_online"] = hub.agent_online
    hub.hall.listen("publish", hub.on_events)
    if url:
        queue["client_manager"].on_relayed = hub.on_relayed
    if mode == "gevent":
        # Start-up objects (modules, the catalogue, folded state) never die: moving them out of
        # the collector's sight keeps full collections, which otherwise land mid-broadcast and set
        # the p99 (NOTES.md), short.
        gc.freeze()
    return sio


class _Hub:
    """The app's Socket.IO handlers and the clients connected to this process."""

    def __init__(self, app, sio):
        self.app, self.sio = app, sio
        self.hall = app.extensions["hall"]
        self.speaker = app.extensions.get("voice")   # displays/voice: the announcements made on the hall
        self.clients = {}       # sid → {"center", "window", "staff", "kiosk", "agent"} and its snapshot allowance

    def audio(self, state, call):
        if self.speaker is None:
            return None
        try:
            return self.speaker.announce(state.id, voice(state), call)
        except Exception:   # a voice that fails must not stop the call: screens use their own voices
            log.exception("no announcement for %s at window %s of %s", call["ticket"], call["window"], state.id)
            return None

    def write_audio(self):
        """The announcements of the calls just pushed, written now that the screens have the calls
        (displays/voice/announce.py: a screen that asks sooner gets its file made on the spot)."""
        if self.speaker is None:
            return
        try:
            self.speaker.flush()
        except Exception:   # a screen that fetches one gets it made then, or uses its own voice
            log.exception("writing announcements failed")

    def send_snapshot(self, sid, info, since=None):
        hall, cid = self.hall, info["center"]
        with hall.reading(cid) as state:
            now = hall.clock()
            missed = None
            if isinstance(since, int) and not isinstance(since, bool) and 0 <= since < state.version:
                missed = []
                if state.version - since <= MISSED_MAX_EVENTS:
                    missed = missed_calls(state, hall.events(cid, since), now, self.audio)
            snap = snapshot(state, now, hall.waits(state), missed, staff=info["staff"])
            # straight to this client (not through the message queue), still under the lock, so
            # that every later push of the centre follows it
            self.sio.server.emit("snapshot", snap, to=sid, ignore_queue=True)
        if missed:
            self.write_audio()

    # --- connecting ---

    def on_connect(self, auth):
        try:
            self._connect(auth if isinstance(auth, dict) else {})
        except Unavailable:
            # a store changing masters: the screen's client connects again on its own
            _refuse("the hall's store cannot be reached just now; try again")

    def _connect(self, auth):
        cid = auth.get("center")
        if not isinstance(cid, str) or not cid:
            _refuse("connect with auth {center: ID}")
        try:
            state = self.hall.state(cid)
        except Refused:
            _refuse(f"no centre {cid!r}")
        number = _window_of(auth, cid, state)
        staff, kiosk = self._principal(auth.get("token"), cid)
        agent = kiosk is not None and auth.get("agent") is True
        info = {"center": cid, "window": number, "staff": staff, "kiosk": kiosk, "agent": agent,
                "allowance": SNAPSHOT_BURST, "at": time.monotonic()}
        self.clients[request.sid] = info
        _join_rooms(info)
        self.send_snapshot(request.sid, info, auth.get("since"))

    def _principal(self, token, cid):
        """(staff?, kiosk device name or None) of a connection's token."""
        if token is None:
            return False, None
        p = principal_for(token, current_app.config["SECRET_KEY"], self.hall.district()) \
            if isinstance(token, str) else None
        if p is None:
            _refuse("the token is invalid or has expired; log in again")
        if not p.may_act_in(cid):
            _refuse(f"{p.name} belongs to another centre")
        return p.role in STAFF_ROLES, (p.name if p.role == "kiosk" else None)

    def on_disconnect(self, *_):
        self.clients.pop(request.sid, None)

    # --- a snapshot on request ---

    def on_snapshot(self, data=None):
        info = self.clients.get(request.sid)
        if info is None or not _allowed(info):
            return          # a client asking too often waits for its own retry
        since = data.get("since") if isinstance(data, dict) else None
        try:
            self.send_snapshot(request.sid, info, since)
        except Unavailable:
            pass            # the store is changing masters: the client asks again after its retry

    # --- the publish listener ---

    def on_events(self, cid, events, state):
        # runs inside the gateway, under the centre lock: a failure here must not fail the command
        hall = self.hall
        try:
            messages = pushes(state, events, hall.clock(), hall.waits(state), self.audio)
            manager = self.sio.server.manager
            if isinstance(manager, RedisQueue):
                manager.emit_batch(cid, messages)   # one publish for the command, whatever it changed
            else:
                fan_out(self.sio.server, messages)
        except Exception:   # the command is already stored; screens resync on the next gap
            log.exception("pushing events %s..%s of %s failed", events[0].get("seq"), events[-1].get("seq"), cid)
        self.write_audio()

    def on_relayed(self, cid, messages):
        """Another process's command, just heard by this process's clients: its call's announcement
        is made here too (after the screens have the call), since a screen fetches it from the
        process it is connected to, and processes on other machines share no folder."""
        state = self.hall.peek(cid) if self.speaker is not None and isinstance(cid, str) else None
        if state is None or state.config is None:
            return          # no screen of that centre here: it would hold the state
        manager = self.sio.server.manager
        for event, data, rooms in messages:
            if event != "call" or not isinstance(data, dict) or not data.get("audio") \
                    or next(iter(manager.get_participants(NAMESPACE, rooms)), None) is None:
                continue
            try:
                self.speaker.relayed(cid, voice(state), data)
            except Exception:   # its screens then use their own voices
                log.exception("no announcement here for %s at window %s of %s", data.get("ticket"),
                              data.get("window"), cid)
        self.write_audio()

    # --- kiosk agents ---

    def agent_online(self, cid, device):
        """Whether this kiosk's agent is connected here (None: it may be, to another process)."""
        if any(i["agent"] and i["center"] == cid and i["kiosk"] == device for i in list(self.clients.values())):
            return True
        return None if self.app.config["REDIS_URL"] else False


def _refuse(message):
    raise ConnectionRefusedError(message)


def _window_of(auth, cid, state):
    """The window number a connection asks for (None: the whole centre); refused when there is none such."""
    number = auth.get("window")
    if number is not None:
        if isinstance(number, str) and number.isdigit():
            number = int(number)
        if isinstance(number, bool) or not isinstance(number, int) or number not in state.windows:
            _refuse(f"no window {auth.get('window')!r} in centre {cid}")
    return number


def _join_rooms(info):
    """A window screen its window's room, others the centre's; staff the staff room; a kiosk's pages
    or its agent their own room."""
    cid, number, kiosk = info["center"], info["window"], info["kiosk"]
    join_room(window_room(cid, number) if number is not None else center_room(cid))
    if info["staff"]:
        join_room(staff_room(cid))
    if kiosk is not None:
        join_room(agent_room(cid, kiosk) if info["agent"] else kiosk_room(cid, kiosk))
