"""What a kiosk does beyond the public API: print, report its printer, confirm, reprint, 绿色通道.

A ticket is issued before anything is printed, and nothing here can take it back: a printer fault
turns into an answer that carries the number and the QR code for the screen (「请拍照留存」), a
`print-failed` mark in the core (so an unconfirmed ticket is voided rather than called as a
ghost), and a device event the managers see. The next ticket tries the printer again, so
printing resumes by itself once paper is in.
"""
import dataclasses
import hmac
import logging
import secrets
import threading
from collections import OrderedDict, defaultdict

from hall import text, views
from hall.api import id_cards
from hall.api.idempotency import idempotency
from hall.core.appointments import booking_of
from hall.core.errors import Refused
from hall.core.state import CALLED, WAITING
from hall.realtime import agent_room, kiosk_room

from . import layout, qr
from . import printer as printers
from .agent_jobs import AgentJobs
from .settings import SettingsError

log = logging.getLogger(__name__)

PIN_TRIES = 5                  # wrong PINs allowed per kiosk in PIN_WINDOW_S
PIN_WINDOW_S = 300
REMEMBERED_PRINTS = 2000       # answers kept so that a repeated print request does not print twice
AGENT_PRINT_TIMEOUT_S = 8      # a kiosk agent's answer to a print job; past it the print counts as failed
READER = "{}.id-reader"        # the device name the hall knows a kiosk's ID-card reader by


class Kiosks:
    def __init__(self, hall, settings, connect=printers.connect, secret=None, push=None, agent_online=None,
                 relay=None):
        self.hall = hall
        self.settings = settings
        self.connect = connect                       # printer spec → python-escpos printer (tests swap it)
        self.secret = secret or (lambda: "")         # () → the hall's secret (keys the ID-number hash)
        self.push = push or (lambda name, payload, room: None)   # Socket.IO emit to a room
        self.agent_online = agent_online or (lambda cid, device: None)
        self.jobs = AgentJobs(relay)
        self.clock = hall.clock
        self._locks = defaultdict(threading.Lock)    # one job at a time per kiosk printer
        self._answers = OrderedDict()                # (kiosk, ticket id) → the last print answer
        self._answers_lock = threading.Lock()
        self._pin_failures = defaultdict(list)

    # --- the guide's PIN ---

    def check_pin(self, kiosk, pin):
        s = self.settings.get(kiosk)
        if not s.guide_pin:
            raise Refused("no_guide_pin", "no guide PIN is set on this kiosk", 403)
        now = self.clock()
        recent = [t for t in self._pin_failures[kiosk] if now - t < PIN_WINDOW_S]
        self._pin_failures[kiosk] = recent
        if len(recent) >= PIN_TRIES:
            raise Refused("pin_locked", "too many wrong PINs: try again in 5 minutes", 429)
        if not isinstance(pin, str) or not hmac.compare_digest(pin.encode(), s.guide_pin.encode()):
            recent.append(now)
            raise Refused("bad_pin", "wrong guide PIN", 403)
        self._pin_failures.pop(kiosk, None)

    def issue_priority(self, cid, principal, pin, queue=None, item=None, key=None):
        """A 绿色通道 ticket: only with the guide's PIN, checked here on the server."""
        self.check_pin(principal.name, pin)
        args = {"queue": queue, "item": item, "priority": "priority", "channel": "kiosk"}
        # the same scoping and fingerprint as the public API, so a key means one ticket either way
        args.update(idempotency(principal.actor, key, queue, item, "priority"))

        def view(s, tid):
            return views.ticket(s, s.tickets[tid], self.hall.waits(s))
        _, events, shown = self.hall.execute(cid, "issue", args, by=principal.actor, view=view)
        replayed = not any(e["type"] == "ticket_issued" for e in events)
        return shown, replayed

    # --- printing ---

    def print_ticket(self, cid, principal, ticket_id, base_url, again=False):
        """Print the ticket on this kiosk's printer; the answer is what the screen shows either way."""
        kiosk = principal.name
        remembered = (kiosk, ticket_id)
        if not again:
            with self._answers_lock:
                if remembered in self._answers:
                    return {**self._answers[remembered], "replayed": True}
        info, answer = self._ticket(cid, ticket_id, base_url)
        try:
            settings = self.settings.get(kiosk)
        except SettingsError as e:
            log.error("%s", e)
            return self._failed(cid, principal, answer, printers.PrinterFault("config", str(e)), mark=not again)
        spec = settings.printer
        answer["paper_mm"] = spec["paper_mm"]
        if spec["kind"] == "none":
            answer.update(printed=False, printer="none", fault=None)
            return self._remember(remembered, answer)
        info = dataclasses.replace(info, notice=settings.notice)
        try:
            if spec["kind"] == "agent":
                after = self._print_by_agent(cid, kiosk, ticket_id, info)
            else:
                data = printers.render(layout.ticket_ops(info, spec["paper_mm"]), spec["paper_mm"])
                with self._locks[kiosk]:
                    after = printers.send(self.connect(spec), data, spec["status"])
        except printers.PrinterFault as fault:
            return self._remember(remembered, self._failed(cid, principal, answer, fault, mark=not again))
        except Exception as e:                         # a driver's bug must not lose the ticket
            log.exception("printing %s on %s", ticket_id, kiosk)
            fault = printers.PrinterFault("error", printers._describe(e))
            return self._remember(remembered, self._failed(cid, principal, answer, fault, mark=not again))
        self._healthy(cid, principal, text.both("printer.paper_low") if after == "paper_low" else None)
        if again:
            # printed now: the citizen holds the number, so it is no longer at risk of being voided
            self._execute(cid, "confirm", {"ticket": ticket_id}, principal)
        answer.update(printed=True, printer=spec["kind"], fault=None, paper_low=after == "paper_low")
        return self._remember(remembered, answer)

    def reprint(self, cid, principal, pin, code, base_url, card=None):
        """Print a ticket again by today's number (or its id), at the guide's word or for its card holder."""
        if card is None:
            self.check_pin(principal.name, pin)
        with self.hall.reading(cid) as state:
            t = state.ticket_by_ref(code) if isinstance(code, str) and code.strip() else None
            if t is None or (card is not None and t.person != card.person):
                raise Refused("unknown_ticket", f"no ticket {code} today", 404, ticket=code)
            if t.status not in (WAITING, CALLED):
                raise Refused("not_printable", f"ticket {t.number} is {t.status}", 409, number=t.number,
                              ticket_status=t.status)
            tid = t.id
        return self.print_ticket(cid, principal, tid, base_url, again=True)

    def guide(self, principal, pin):
        self.check_pin(principal.name, pin)
        return {"ok": True}

    def confirm(self, cid, principal, ticket_id):
        self._own_ticket(cid, ticket_id)
        self.hall.execute(cid, "confirm", {"ticket": ticket_id}, by=principal.actor)
        return {"ticket": ticket_id, "confirmed": True}

    def printer_status(self, cid, principal):
        """Ask the printer how it is (DLE EOT) where the connection reads; report a change to the hall."""
        try:
            spec = self.settings.get(principal.name).printer
        except SettingsError as e:
            return {"status": "fault", "fault": "config", "message": str(e)}
        if spec["kind"] == "none":
            return {"status": "none"}
        if spec["kind"] == "agent":
            # the agent asks its printer itself and reports each change (agent_status)
            last = self._last_report(cid, principal.name)
            if not last or last["status"] == "ok":
                return {"status": "ok", "paper_low": bool(last and last.get("detail"))}
            return {"status": "fault", "fault": "offline", "message": last.get("detail")}
        try:
            with self._locks[principal.name]:
                status = self._ask(spec)
        except printers.PrinterFault as fault:
            status = fault.code
        except Exception as e:  # noqa: BLE001 - opening a missing device raises anything
            log.warning("printer of %s: %s", principal.name, e)
            status = "offline"
        if status in ("ok", "paper_low"):
            self._healthy(cid, principal, text.both("printer.paper_low") if status == "paper_low" else None)
            return {"status": "ok", "paper_low": status == "paper_low"}
        self._report(cid, principal, "fault", _fault_detail(status))
        return {"status": "fault", "fault": status, "message": text.text(f"printer.{status}")}

    # --- the kiosk agent: its printer and its ID-card reader ---

    def _print_by_agent(self, cid, kiosk, ticket_id, info):
        """Push the ticket to this kiosk's agent and wait for its answer: 'ok'/'paper_low' or PrinterFault."""
        if self.agent_online(cid, kiosk) is False:
            raise printers.PrinterFault("offline", "the kiosk agent is not connected")
        job = {"job": secrets.token_urlsafe(12), "kiosk": kiosk, "ticket": ticket_id, "number": info.number,
               "info": dataclasses.asdict(info)}
        result = self.jobs.run(self.push, agent_room(cid, kiosk), job, AGENT_PRINT_TIMEOUT_S)
        if result is None:
            raise printers.PrinterFault("offline", "the kiosk agent did not answer")
        if not result.get("printed"):
            code = result.get("fault") if result.get("fault") in printers.FAULTS else "error"
            raise printers.PrinterFault(code, result.get("detail"))
        return "paper_low" if result.get("paper_low") else "ok"

    def agent_printed(self, principal, job_id, result):
        if not self.jobs.answer(principal.name, job_id, result):
            raise Refused("unknown_job", "no such print job is waiting (it timed out or was answered)", 404)
        return {"job": job_id, "accepted": True}

    def agent_status(self, cid, principal, printer=None, reader=None, detail=None):
        """What the agent sees of its printer and reader, recorded when it changed (managers see it)."""
        if printer in ("ok", "paper_low"):
            self._healthy(cid, principal, text.both("printer.paper_low") if printer == "paper_low" else None)
        elif printer is not None:
            self._report(cid, principal, "fault", _fault_detail(printer))
        if reader is not None:
            name = READER.format(principal.name)
            last = self._last_report(cid, name)
            status = "ok" if reader == "ok" else "offline"
            said = None if status == "ok" else "身份证阅读器未连接 / ID-card reader offline"
            if not last or (last["status"], last.get("detail")) != (status, said):
                self._execute(cid, "report-device", {"device": name, "kind": principal.role, "status": status,
                                                     "detail": said}, principal)
        return {"ok": True}

    def reader_status(self, cid, device):
        """'ok', 'offline', or None when this kiosk never reported a reader."""
        last = self._last_report(cid, READER.format(device))
        return last["status"] if last else None

    def card_read(self, cid, principal, number, name):
        """A card laid on this kiosk's reader: hashed and masked here; the kiosk's pages hear what it unlocks."""
        now = self.clock()
        with self.hall.reading(cid) as state:
            tz = state.config.timezone
        card = id_cards.identify(self.secret(), number, name, now, tz)
        message = self.card_message(cid, principal.name, card, id_cards.reference(self.secret(), principal.name,
                                                                                   card, now))
        self.push("id_card", message, kiosk_room(cid, principal.name))
        return message

    def card_message(self, cid, device, card, ref):
        with self.hall.reading(cid) as state:
            cfg = state.config
            waiting = [{"queue": t.queue, "queue_name": cfg.queues[t.queue].name, "number": t.number,
                        "status": t.status}
                       for t in state.tickets.values() if t.person == card.person and t.status in (WAITING, CALLED)]
            b = booking_of(state, card.person)
            booking = None
            if b is not None:
                booking = {"queue": b["queue"], "queue_name": cfg.queues[b["queue"]].name, "day": b["day"],
                           "slot": b["slot"], "status": b["status"],
                           "check_in_from": b["start"] - cfg.booking["early_s"], "miss_at": b["miss_at"]}
            return {"name_masked": card.name_masked, "number_masked": card.number_masked, "age": card.age,
                    "ref": ref, "expires_in_s": id_cards.REFERENCE_TTL_S,
                    "elderly": card.age >= cfg.elderly_age, "elderly_age": cfg.elderly_age,
                    "booking": booking, "waiting": waiting,
                    "card_queues": [q.id for q in cfg.queues.values() if q.id_card_required],
                    "seq": state.version, "at": self.clock()}

    def card_of(self, principal, ref):
        """A page's reference for the card its kiosk read, as an Identity (400 when forged, foreign or old)."""
        return id_cards.from_reference(self.secret(), principal.name, ref, self.clock())

    # --- helpers ---

    def _ask(self, spec):
        return printers.status_of(self.connect(spec), spec)

    def _ticket(self, cid, ticket_id, base_url):
        with self.hall.reading_ticket(ticket_id) as (state, t):
            if state.id != cid:
                raise Refused("unknown_ticket", "no such ticket in this centre", 404)
            if t.status not in (WAITING, CALLED):
                raise Refused("not_printable", f"ticket {t.number} is {t.status}; it cannot be printed", 409)
            view = views.ticket(state, t, self.hall.waits(state))
            item = state.config.items.get(t.item) if t.item else None
            void_s = state.config.unconfirmed_void_s
        track = f"{base_url}/m/tickets/{ticket_id}"
        info = layout.TicketInfo(
            center=view["center_name"], queue=view["queue_name"], number=view["number"],
            ahead=view["ahead"], est_wait_s=view["est_wait_s"],
            issued=(view["issued_at"] or "")[:19].replace("T", " "), track_url=track,
            item=item.name if item else None, priority=view["priority"] == "priority",
            appointment=bool(view.get("appointment")))
        answer = {"ticket": view, "item_name": item.name if item else None, "track_url": track,
                  "qr_svg": qr.svg(track), "confirm_within_s": void_s}
        return info, answer

    def _own_ticket(self, cid, ticket_id):
        with self.hall.reading_ticket(ticket_id) as (state, _):
            if state.id != cid:
                raise Refused("unknown_ticket", "no such ticket in this centre", 404)

    def _failed(self, cid, principal, answer, fault, mark=True):
        words = f"printer.{fault.code if fault.code in printers.FAULTS else 'error'}"
        log.warning("kiosk %s could not print %s: %s", principal.name, answer["ticket"]["number"], fault)
        if mark:
            self._execute(cid, "print-failed", {"ticket": answer["ticket"]["id"], "detail": fault.code}, principal)
        self._report(cid, principal, "fault", _fault_detail(fault.code))
        answer.update(printed=False, fault=fault.code, message=text.text(words), message_en=text.text(words, "en"),
                      notice=text.text("kiosk.fault_box"), notice_en=text.text("kiosk.fault_box", "en"),
                      needs_confirm=mark)
        return answer

    def _healthy(self, cid, principal, detail=None):
        # only a change is worth an event: the hall heard of a fault (or of low paper) before
        last = self._last_report(cid, principal.name)
        known = (last["status"], last.get("detail")) if last else ("ok", None)
        if known != ("ok", detail):
            self._report(cid, principal, "ok", detail)

    def _last_report(self, cid, device):
        try:
            with self.hall.reading(cid) as state:
                last = state.devices.get(device)
                return dict(last) if last else None
        except Refused:
            return None

    def _report(self, cid, principal, status, detail):
        self._execute(cid, "report-device", {"device": principal.name, "kind": principal.role,
                                             "status": status, "detail": detail}, principal)

    def _execute(self, cid, name, args, principal):
        try:
            self.hall.execute(cid, name, args, by=principal.actor)
        except Refused as e:
            # the ticket's answer matters more than this record; say so in the log and go on
            log.warning("kiosk %s: %s %s refused: %s", principal.name, name, args, e.message)

    def _remember(self, key, answer):
        with self._answers_lock:
            self._answers[key] = answer
            self._answers.move_to_end(key)
            while len(self._answers) > REMEMBERED_PRINTS:
                self._answers.popitem(last=False)
        return answer


def _fault_detail(code):
    return text.both(f"printer.{code if code in printers.FAULTS else 'error'}")
