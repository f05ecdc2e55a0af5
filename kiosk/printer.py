"""The ticket printer: a ticket's layout as ESC/POS bytes, and the printers that take them.

Everything is built on python-escpos. A ticket is rendered into its `Dummy` printer first, so the
bytes are exact and testable, and then handed to the real connection in one write: a USB, serial,
network or file printer chosen by the kiosk's settings (or none). Chinese is sent in GB18030 with
the printer's Chinese mode on (`FS &`): python-escpos's own text() does not switch it on.

Where the connection can read, the printer's real-time status (`DLE EOT n`) is asked before and
after a ticket, so paper out, an open cover or an offline printer is known rather than guessed.
"""
import os
import tempfile

from .layout import PAPER_COLUMNS, QR, Rule, Text

# "agent": the printer hangs off the kiosk's own PC and its kiosk agent prints (kiosk/agent/)
KINDS = ("usb", "serial", "network", "file", "none", "agent")
CHINESE_ON = b"\x1c&"          # FS &: Chinese (Kanji) character mode
QR_EC_M = 1                    # error correction M: survives a crease or a smudge

# DLE EOT n, answered by one status byte (ESC/POS real-time status transmission)
DLE_EOT = b"\x10\x04"
PRINTER_OFFLINE_BIT = 0x08      # n=1: the printer is offline
COVER_OPEN_BIT = 0x04           # n=2: the cover is open
PAPER_STOP_BIT = 0x20           # n=2: printing stopped because the paper ran out

# Faults a kiosk can meet; the words a manager and a citizen read are the text catalogue's printer.<fault>.
FAULTS = ("paper_out", "cover_open", "offline", "error", "config")


class PrinterFault(Exception):
    def __init__(self, code, detail=None):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def escpos_module():
    """python-escpos, imported on first use; its capabilities cache is kept in one known folder.

    Importing it writes a 70 KB pickle into a fresh temp folder unless told where to keep it.
    """
    folder = os.environ.get("ESCPOS_CAPABILITIES_PICKLE_DIR")
    if not folder:
        folder = os.path.join(tempfile.gettempdir(), "hall-escpos-cache")
        os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"] = folder
    os.makedirs(folder, exist_ok=True)
    import escpos.printer
    return escpos.printer


# --- the printer settings of one kiosk ---

def check_spec(raw):
    """A kiosk's `printer:` settings with defaults filled in; ValueError says what is wrong."""
    raw = dict(raw or {"kind": "none"})
    kind = raw.pop("kind", None)
    if kind not in KINDS:
        raise ValueError(f"printer.kind must be one of {', '.join(KINDS)}")
    spec = {"kind": kind, "paper_mm": raw.pop("paper_mm", 80),
            "status": raw.pop("status", kind not in ("file", "agent")),
            "profile": raw.pop("profile", None)}
    if spec["paper_mm"] not in PAPER_COLUMNS:
        raise ValueError("printer.paper_mm must be 58 or 80")
    if not isinstance(spec["status"], bool):
        raise ValueError("printer.status must be true or false")
    needs = {"usb": {"vendor_id": _int16, "product_id": _int16},
             "serial": {"devfile": _text},
             "network": {"host": _text},
             "file": {"path": _text}}.get(kind, {})
    optional = {"usb": {"timeout_ms": _positive, "in_ep": _int16, "out_ep": _int16},
                "serial": {"baudrate": _positive, "timeout": _positive},
                "network": {"port": _int16, "timeout": _positive}}.get(kind, {})
    for key, check in needs.items():
        if key not in raw:
            raise ValueError(f"a {kind} printer needs printer.{key}")
        spec[key] = check(raw.pop(key), key)
    for key, check in optional.items():
        if key in raw:
            spec[key] = check(raw.pop(key), key)
    if raw:
        raise ValueError(f"unknown printer setting(s) {', '.join(sorted(map(str, raw)))} for a {kind} printer")
    return spec


def _int16(value, key):
    if isinstance(value, str):
        try:
            value = int(value, 0)
        except ValueError:
            raise ValueError(f"printer.{key} must be a number such as 0x0416") from None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 0xFFFF:
        raise ValueError(f"printer.{key} must be a number from 0 to 0xFFFF")
    return value


def _positive(value, key):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(f"printer.{key} must be a positive number")
    return value


def _text(value, key):
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"printer.{key} must be text")
    return value.strip()


def connect(spec):
    """A python-escpos printer for the settings (not opened yet: it opens on first write), or None."""
    kind = spec["kind"]
    if kind in ("none", "agent"):
        return None
    printers = escpos_module()
    profile = {"profile": spec["profile"]} if spec.get("profile") else {}
    if kind == "usb":
        # A short timeout: a jammed USB printer must not hold the kiosk's answer for long.
        return printers.Usb(spec["vendor_id"], spec["product_id"], timeout=spec.get("timeout_ms", 3000),
                            in_ep=spec.get("in_ep", 0x82), out_ep=spec.get("out_ep", 0x01), **profile)
    if kind == "serial":
        return printers.Serial(devfile=spec["devfile"], baudrate=spec.get("baudrate", 9600),
                               timeout=spec.get("timeout", 1), **profile)
    if kind == "network":
        return printers.Network(spec["host"], port=spec.get("port", 9100), timeout=spec.get("timeout", 3),
                                **profile)
    return _appending_file_class(printers.File)(devfile=spec["path"], **profile)


_FILE_CLASS = None


def _appending_file_class(File):
    """python-escpos's File printer, opened for appending: a job must never erase the one before it
    (a regular file in tests and spools; a character device does not care)."""
    global _FILE_CLASS
    if _FILE_CLASS is None:
        class AppendingFile(File):
            def open(self, raise_not_found=True):
                if self._device:
                    self.close()
                try:
                    self.device = open(self.devfile, "ab")
                except OSError as e:
                    self.device = None
                    if raise_not_found:
                        raise escpos_exceptions().DeviceNotFoundError(
                            f"Could not open the specified file {self.devfile}: {e}") from None
        _FILE_CLASS = AppendingFile
    return _FILE_CLASS


def escpos_exceptions():
    escpos_module()
    import escpos.exceptions
    return escpos.exceptions


# --- the ticket as bytes ---

def render(ops, paper_mm=80):
    """The ESC/POS bytes of a ticket layout, built on python-escpos's Dummy printer."""
    p = escpos_module().Dummy()
    p.hw("INIT")                                   # ESC @: a known state, whatever the last job left
    p._raw(CHINESE_ON)
    columns = PAPER_COLUMNS[paper_mm]
    now = {"align": "left", "bold": False, "size": (1, 1)}    # what ESC @ leaves

    def style(align, bold=False, size=(1, 1)):
        # send only what changes, so the bytes read like the ticket
        if align != now["align"]:
            p.set(align=align)
        if bold != now["bold"]:
            p.set(bold=bold)
        if size != now["size"]:
            p.set(custom_size=True, width=size[0], height=size[1])
        now.update(align=align, bold=bold, size=size)

    for op in ops:
        if isinstance(op, Text):
            style(op.align, op.bold, (op.size, op.size) if op.size > 1 else (1, 2) if op.tall else (1, 1))
            p._raw(op.text.encode("gb18030") + b"\n")
        elif isinstance(op, QR):
            style("center")
            p.qr(op.data, native=True, size=op.module, ec=QR_EC_M)
            p._raw(b"\n")
        elif isinstance(op, Rule):
            style("left")
            p._raw(b"-" * columns + b"\n")
    style("left")
    p.cut()                                        # ESC d 6 (feed past the cutter), GS V 0
    return p.output


# --- talking to a printer ---

def can_read(printer):
    """Whether the connection has a way back (USB, serial, network do; a file or the Dummy do not)."""
    escpos_module()
    from escpos.escpos import Escpos
    return type(printer)._read is not Escpos._read


def read_status(printer):
    """'ok', 'paper_low' or a fault code, asked with DLE EOT; None when the connection cannot read."""
    if not can_read(printer):
        return None
    try:
        _answer_promptly(printer)
        online = _ask(printer, 1)
        if online is None:
            return None
        if online & PRINTER_OFFLINE_BIT:
            cause = _ask(printer, 2) or 0
            if cause & COVER_OPEN_BIT:
                return "cover_open"
            if cause & PAPER_STOP_BIT:
                return "paper_out"
            return "offline"
        paper = printer.paper_status()             # DLE EOT 4: 2 plenty, 1 near the end, 0 none
    except PrinterFault:
        raise
    except Exception as e:                         # any transport error means offline
        raise PrinterFault("offline", _describe(e)) from e
    if paper == 0:
        return "paper_out"
    return "paper_low" if paper == 1 else "ok"


def status_of(printer, spec):
    """The printer's state as `read_status` tells it, then closes the connection.

    With no way to ask (a file, or status off in the spec), whether it opens is what can be known:
    'ok' when it does; a PrinterFault or the transport's own error when it does not.
    """
    try:
        status = read_status(printer) if spec["status"] else None
        if status is None:
            printer.open()
            status = "ok"
        return status
    finally:
        _close(printer)


def _answer_promptly(printer):
    """A serial printer's status read returns once its one-byte answer has come, not at the timeout.

    python-escpos reads 16 bytes from a serial port for a one-byte answer, so every DLE EOT waited
    the port's whole `timeout` (1 s by default; pyserial's inter-byte timeout does not apply to its
    POSIX reads): the four of a ticket took four seconds. USB and network reads return at once.
    """
    device = getattr(printer, "device", None)
    if device is not None and hasattr(device, "in_waiting") and hasattr(device, "read"):
        printer._read = lambda: device.read(1)      # this connection object only: one per job


def _ask(printer, n):
    answer = printer.query_status(DLE_EOT + bytes([n]))
    if not answer:
        # a connection that reads but hears nothing: the printer is off or unplugged
        raise PrinterFault("offline", "no answer to DLE EOT")
    return answer[0]


def send(printer, data, check_status=True):
    """Send one ticket's bytes; PrinterFault when the printer cannot or did not print it.

    Returns the status read after printing ('ok', 'paper_low' or None when unknown).
    """
    try:
        if check_status:
            before = read_status(printer)
            if before not in (None, "ok", "paper_low"):
                raise PrinterFault(before)
        printer._raw(data)
        if hasattr(printer, "flush"):
            printer.flush()
        after = read_status(printer) if check_status else None
    except PrinterFault:
        raise
    except Exception as e:                         # the transport's own errors vary by kind
        raise PrinterFault(_fault_of(e), _describe(e)) from e
    finally:
        _close(printer)
    if after not in (None, "ok", "paper_low"):
        # the paper ran out or the cover opened while this ticket was printing: it may be cut short
        raise PrinterFault(after, "after printing")
    return after


def _fault_of(e):
    if isinstance(e, (OSError, TimeoutError)) or type(e).__name__ in ("DeviceNotFoundError", "USBNotFoundError",
                                                                     "USBError", "SerialException",
                                                                     "SerialTimeoutException"):
        return "offline"
    return "error"


def _describe(e):
    return (f"{type(e).__name__}: {e}".splitlines() or [type(e).__name__])[0][:150]


def _close(printer):
    try:
        printer.close()
    except Exception:  # noqa: BLE001 - closing a broken connection may fail too
        pass
