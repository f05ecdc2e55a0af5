"""A real python-escpos Serial printer over a pty: the ticket's bytes arrive, and DLE EOT tells paper
out, cover open and a switched-off printer apart before a ticket is lost in a dead printer."""
import pytest

from kiosk import printer as printers
from kiosk.layout import TicketInfo, ticket_ops

from .fake_printer import PtyPrinter

INFO = TicketInfo(center="东区政务服务中心", queue="户籍业务", number="B003", ahead=1, est_wait_s=240,
                  issued="2026-11-26 10:00:05", track_url="http://127.0.0.1:5000/m/tickets/east.x")


@pytest.fixture
def pty_printer():
    p = PtyPrinter()
    yield p
    p.close()


@pytest.fixture
def spec(pty_printer):
    return printers.check_spec({"kind": "serial", "devfile": pty_printer.path, "baudrate": 19200,
                                "timeout": 0.5, "paper_mm": 58})


def wait_for(predicate, seconds=3):
    import time
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_ticket_reaches_a_serial_printer_byte_for_byte(pty_printer, spec):
    data = printers.render(ticket_ops(INFO, 58), 58)
    assert printers.send(printers.connect(spec), data, spec["status"]) == "ok"
    wait_for(lambda: pty_printer.printed() == data)
    assert bytes(pty_printer.received).startswith(b"\x10\x04\x01")     # asked before printing


@pytest.mark.parametrize("paper, cover, fault", [("out", False, "paper_out"), ("ok", True, "cover_open")])
def test_a_fault_is_known_before_the_ticket_is_sent(pty_printer, spec, paper, cover, fault):
    pty_printer.paper, pty_printer.cover_open = paper, cover
    with pytest.raises(printers.PrinterFault) as e:
        printers.send(printers.connect(spec), b"TICKET", spec["status"])
    assert e.value.code == fault
    assert b"TICKET" not in pty_printer.printed()


def test_near_end_paper_still_prints_and_says_so(pty_printer, spec):
    pty_printer.paper = "low"
    assert printers.send(printers.connect(spec), b"TICKET", spec["status"]) == "paper_low"
    wait_for(lambda: b"TICKET" in pty_printer.printed())


def test_a_printer_that_does_not_answer_is_offline(pty_printer, spec):
    pty_printer.silent = True
    with pytest.raises(printers.PrinterFault) as e:
        printers.send(printers.connect(spec), b"TICKET", spec["status"])
    assert e.value.code == "offline"


def test_a_missing_serial_device_is_offline(tmp_path):
    spec = printers.check_spec({"kind": "serial", "devfile": str(tmp_path / "ttyUSB9")})
    with pytest.raises(printers.PrinterFault) as e:
        printers.send(printers.connect(spec), b"TICKET", spec["status"])
    assert e.value.code == "offline"
