"""The timing PROTOCOL.md states is what timing.py computes (and what the master uses)."""
from pathlib import Path

from firmware_bridge import timing

DOC = (Path(__file__).parents[2] / "firmware_bridge" / "PROTOCOL.md").read_text(encoding="utf-8")


def ms(x, digits=1):
    return f"{1000 * x:.{digits}f}"


def test_wire_times_are_ten_bits_a_byte():
    assert timing.wire_s(960, 9600) == 1.0
    assert round(timing.gap_s(9600) * 1000, 2) == 3.65
    assert timing.gap_s(115200) == 0.00175


def test_the_poll_figures_in_the_document_are_computed():
    for baud in (9600, 19200):
        assert f"**{ms(timing.poll_transaction_s(baud))} ms**" in DOC
        assert f"**{round(1000 * timing.cycle_s(baud, 32)):.0f} ms**" in DOC
        assert f"{ms(timing.reply_timeout_s(6, baud))} ms" in DOC


def test_the_latency_table_is_the_prediction():
    p9600, p19200 = timing.predict(9600, 32), timing.predict(19200, 32)
    row = (f"| **32 devices** | **{p9600.p50_ms:.0f} / {p9600.p99_ms:.0f} / {p9600.max_ms:.0f} ms** "
           f"| **{p19200.p50_ms:.0f} / {p19200.p99_ms:.0f} / {p19200.max_ms:.0f} ms** |")
    assert row in DOC
    for n in (8, 16):
        a, b = timing.predict(9600, n), timing.predict(19200, n)
        assert (f"{a.p50_ms:.0f} / {a.p99_ms:.0f} / {a.max_ms:.0f} ms | "
                f"{b.p50_ms:.0f} / {b.p99_ms:.0f} / {b.max_ms:.0f} ms") in DOC


def test_the_prediction_grows_with_devices_and_shrinks_with_baud():
    assert timing.predict(9600, 32).p99_ms > timing.predict(9600, 8).p99_ms > timing.predict(19200, 8).p99_ms
    p = timing.predict(9600, 32)
    assert p.p50_ms < p.p99_ms <= p.max_ms
