"""The kiosk agent: the reader's cards go to the hall; the hall's print jobs go to the printer.

A card read is posted to the hall at once (`POST /kiosk/<c>/id-card`), which hashes the number,
masks the name and tells the kiosk's page; the agent keeps nothing of it. A print job is the
ticket's layout (`kiosk.layout.TicketInfo`): the agent renders it with python-escpos for its own
printer (`kiosk.printer`, the same bytes and the same fault checks as a printer on the hall) and
answers with the outcome. The ticket exists before the job is sent and the hall keeps it whatever
the answer, so a fault, a timeout or a lost answer can never lose a ticket: the page shows the
number for a photo, exactly as with a printer on the hall. Printer health is asked now and then
(more often while it is faulty) and every change is reported, so the page's banner and the
managers see it.
"""
import collections
import logging
import queue
import threading
import time

from .. import layout
from .. import printer as printers
from ..idcard_reader import Reader
from .link import HallUnreachable, Link

log = logging.getLogger(__name__)

REMEMBERED_JOBS = 200
STATUS_EVERY_S = 60.0            # asking a healthy printer how it is
FAULT_STATUS_EVERY_S = 5.0       # … and a faulty one, so that printing resumes as soon as paper is in


class Agent:
    def __init__(self, config, connect=printers.connect, poll_s=0.3, status_every_s=STATUS_EVERY_S,
                 fault_status_every_s=FAULT_STATUS_EVERY_S):
        self.config = config
        self.connect = connect
        self.status_every_s, self.fault_status_every_s = status_every_s, fault_status_every_s
        self.link = Link(config.hall, config.center, config.token, on_print=self._enqueue)
        self.reader = None
        if config.reader_port:
            self.reader = Reader(config.reader_port, config.reader_baudrate, on_card=self._card,
                                 on_status=self._reader_status, poll_s=poll_s)
        self.printer_status = None
        self.counters = collections.Counter()
        self._printer_lock = threading.Lock()      # printing and asking the printer never overlap
        self._told = {}                            # what the hall last heard: {"printer": …, "reader": …}
        self._wake = threading.Event()
        self._jobs = queue.Queue()
        self._done = collections.OrderedDict()     # job id → the answer sent (a job pushed twice prints once)
        self._stop = threading.Event()
        self._threads = []

    def start(self):
        self.link.start()
        if self.reader:
            self.reader.start()
        for target, name in ((self._print_loop, "printing"), (self._status_loop, "printer status")):
            t = threading.Thread(target=target, name=name, daemon=True)
            t.start()
            self._threads.append(t)
        return self

    def stop(self):
        self._stop.set()
        self._wake.set()
        self._jobs.put(None)
        if self.reader:
            self.reader.stop()
        self.link.stop()
        for t in self._threads:
            t.join(10)

    def stats(self):
        return {**self.counters, "hall_online": self.link.online, "printer": self.printer_status,
                "reader": self.reader.status if self.reader else "none"}

    # --- the reader ---

    def _card(self, card):
        # the number and name go to the hall and nowhere else: not into a log line, not onto disk
        try:
            status, answer = self.link.post("/id-card", {"number": card.number, "name": card.name})
        except HallUnreachable as e:
            self.counters["cards_lost"] += 1
            log.warning("a card was read but the hall did not answer (%s): the citizen lays it again", e)
            return
        self.counters["cards"] += 1
        if status != 200:
            code = (answer or {}).get("error", {}).get("code") if isinstance(answer, dict) else None
            log.warning("the hall refused a card read: %s %s", status, code)

    def _reader_status(self, status, detail):
        self._tell("reader", status)

    # --- printing ---

    def _enqueue(self, job):
        self._jobs.put(job)

    def _print_loop(self):
        while not self._stop.is_set():
            job = self._jobs.get()
            if job is None:
                return
            try:
                self._print(job)
            except Exception:   # noqa: BLE001 - a job's fault must not stop the next one
                log.exception("print job %s", job.get("job"))

    def _print(self, job):
        jid = job["job"]
        answer = self._done.get(jid)
        if answer is None:
            answer = self._print_ticket(job)
            self._done[jid] = answer
            while len(self._done) > REMEMBERED_JOBS:
                self._done.popitem(last=False)
        else:
            self.counters["repeated_jobs"] += 1
        try:
            status, _ = self.link.post(f"/agent/printed/{jid}", answer)
        except HallUnreachable as e:
            # the hall counts the print as failed when no answer comes: the ticket stays, the page shows it
            log.warning("could not tell the hall how job %s went: %s", jid, e)
            return
        if status != 200:
            log.info("the hall no longer waited for job %s (%s)", jid, status)

    def _print_ticket(self, job):
        spec = self.config.printer
        if spec["kind"] == "none":
            return {"printed": False, "fault": "config", "detail": "this kiosk agent has no printer"}
        try:
            info = layout.TicketInfo(**job["info"])
            data = printers.render(layout.ticket_ops(info, spec["paper_mm"]), spec["paper_mm"])
            with self._printer_lock:
                after = printers.send(self.connect(spec), data, spec["status"])
        except printers.PrinterFault as fault:
            self.counters["print_faults"] += 1
            self._printer_changed(fault.code)
            return {"printed": False, "fault": fault.code, "detail": (fault.detail or "")[:200] or None}
        except Exception as e:   # noqa: BLE001 - a driver's bug must not lose the answer
            log.exception("printing job %s", job.get("job"))
            return {"printed": False, "fault": "error", "detail": printers._describe(e)}
        self.counters["printed"] += 1
        self.printer_status = after or "ok"
        return {"printed": True, "fault": None, "paper_low": after == "paper_low"}

    def _status_loop(self):
        asked = None
        while not self._stop.is_set():
            now = time.monotonic()
            faulty = self.printer_status not in (None, "ok", "paper_low")
            every = self.fault_status_every_s if faulty else self.status_every_s
            if self.config.printer["kind"] != "none" and (asked is None or now - asked >= every):
                asked = now
                self._printer_changed(self._ask_printer())
            # what the hall could not hear before (it was away) is told again
            if self.config.printer["kind"] != "none" and self._told.get("printer") != self.printer_status:
                self._tell("printer", self.printer_status)
            if self.reader and self.reader.status and self._told.get("reader") != self.reader.status:
                self._tell("reader", self.reader.status)
            self._wake.wait(1.0)
            self._wake.clear()

    def _ask_printer(self):
        spec = self.config.printer
        with self._printer_lock:
            return self._ask(spec)

    def _ask(self, spec):
        p = self.connect(spec)
        try:
            return printers.status_of(p, spec)
        except printers.PrinterFault as fault:
            return fault.code
        except Exception:   # noqa: BLE001 - opening a missing device raises anything
            return "offline"

    def _printer_changed(self, status):
        if status != self.printer_status:
            self.printer_status = status
            self._tell("printer", status)

    def _tell(self, part, status):
        try:
            code, _ = self.link.post("/agent/status", {part: status})
        except HallUnreachable:
            return        # told again by the status loop once the hall answers
        if code == 200:
            self._told[part] = status
