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
import threading
from collections import OrderedDict, defaultdict

from hall import text, views
from hall.api.idempotency import idempotency
from hall.core.errors import Refused
from hall.core.state import CALLED, WAITING

from . import layout, qr
from . import printer as printers
from .settings import SettingsError

log = logging.getLogger(__name__)

PIN_TRIES = 5                  # wrong PINs allowed per kiosk in PIN_WINDOW_S
PIN_WINDOW_S = 300
REMEMBERED_PRINTS = 2000       # answers kept so that a repeated print request does not print twice


class Kiosks:
    def __init__(self, hall, settings, connect=printers.connect):
        self.hall = hall
        self.settings = settings
        self.connect = connect                       # printer spec → python-escpos printer (tests swap it)
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

    def reprint(self, cid, principal, pin, code, base_url):
        """Print a ticket again by today's number (or its id), at the guide's word."""
        self.check_pin(principal.name, pin)
        with self.hall.reading(cid) as state:
            t = state.ticket_by_ref(code) if isinstance(code, str) and code.strip() else None
            if t is None:
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

    # --- helpers ---

    def _ask(self, spec):
        p = self.connect(spec)
        try:
            status = printers.read_status(p) if spec["status"] else None
            if status is None:
                # no way to ask (a file, or status off): whether it opens is what can be known
                p.open()
                status = "ok"
            return status
        finally:
            printers._close(p)

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
