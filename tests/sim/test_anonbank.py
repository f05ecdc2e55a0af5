"""The Anonymous Bank importer on hand-written rows: each of the log's pitfalls mapped as documented."""
import io

import pytest

from hall.core import CenterState, apply
from hall.sim.anonbank import parse_rows, to_events, read_calls, PSEUDO_FIRST

HEADER = ("vru+line call_id customer_id priority type date vru_entry vru_exit vru_time q_start q_exit q_time "
          "outcome ser_start ser_exit ser_time server").split()


def row(line, call_id, prio, type_, entry, vru_exit, q_start, q_exit, outcome, ser_start, ser_exit, ser_time,
        server, date="990215"):
    values = [line, call_id, "0", str(prio), type_, date, entry, vru_exit, "5", q_start, q_exit, "0",
              outcome, ser_start, ser_exit, str(ser_time), server]
    return dict(zip(HEADER, values))


ROWS = [
    # not queued: joins at vru_exit, called at once although ser_start is a second earlier
    row("AA0101", "1", 0, "PS", "10:00:00", "10:00:10", "0:00:00", "0:00:00", "AGENT", "10:00:09", "10:02:09", 120, "DORIT"),
    # queued, served 50 s later by another agent
    row("AA0101", "2", 2, "NE", "10:00:20", "10:00:25", "10:00:25", "10:01:15", "AGENT", "10:01:15", "10:04:15", 180, "MICHAL"),
    # queued, ser_start a second before q_start: wait clipped to 0
    row("AA0102", "2", 1, "PS", "10:05:00", "10:05:06", "10:05:06", "10:05:06", "AGENT", "10:05:05", "10:06:05", 60, "MICHAL"),
    # queued, hung up after 40 s
    row("AA0103", "3", 1, "PS", "10:06:00", "10:06:05", "10:06:05", "10:06:45", "HANG", "0:00:00", "0:00:00", 0, "NO_SERVER"),
    # hung up in the phone menu: never took a ticket
    row("AA0103", "4", 0, "PS", "10:07:00", "10:07:30", "0:00:00", "0:00:00", "HANG", "0:00:00", "0:00:00", 0, "NO_SERVER"),
    # a phantom
    row("AA0103", "5", 0, "PS", "10:08:00", "10:08:05", "0:00:00", "0:00:00", "PHANTOM", "0:00:00", "0:00:00", 0, "NO_SERVER"),
    # served but no service record: leaves the queue at q_exit, not a served call
    row("AA0104", "6", 2, "PS", "10:09:00", "10:09:05", "10:09:05", "10:09:35", "AGENT", "0:00:00", "0:00:00", 0, "DORIT"),
    # answered by no agent
    row("AA0104", "7", 0, "NW", "10:10:00", "10:10:04", "0:00:00", "0:00:00", "AGENT", "10:10:04", "10:10:10", 6, "NO_SERVER"),
    # past midnight: the queue and the service are on the next calendar day
    row("AA0105", "8", 2, "PS", "23:59:30", "23:59:40", "23:59:40", "0:00:30", "AGENT", "0:00:30", "0:02:30", 120, "DORIT"),
    # DORIT again after more than 10 idle minutes: her window closed in between
    row("AA0106", "9", 0, "PS", "23:40:00", "23:40:05", "0:00:00", "0:00:00", "AGENT", "23:40:05", "23:41:05", 60, "DORIT"),
]


def fold(events):
    s = CenterState(id="anonbank")
    for e in events:
        apply(s, e)
    return s


@pytest.fixture
def imported():
    calls, skipped = parse_rows(ROWS)
    events, counts = to_events(calls)
    return calls, skipped, events, counts


def test_phantoms_and_menu_hang_ups_take_no_ticket(imported):
    calls, skipped, events, _ = imported
    assert skipped == {"phantom": 1, "hang_unqueued": 1}
    assert len(calls) == 8 and len([e for e in events if e["type"] == "ticket_issued"]) == 8


def waits(events):
    issued, out = {}, {}
    for e in events:
        if e["type"] == "ticket_issued":
            issued[e["ticket"]] = e["at"]
        elif e["type"] == "ticket_called":
            out[e["ticket"].split(".")[1]] = e["at"] - issued[e["ticket"]]
    return out


def test_waits_are_ser_start_minus_joining_clipped_at_zero(imported):
    w = waits(imported[2])
    assert w["AA0101-1-990215"] == 0            # did not queue
    assert w["AA0101-2-990215"] == 50
    assert w["AA0102-2-990215"] == 0            # ser_start before q_start
    assert w["AA0105-8-990215"] == 50           # across midnight: 23:59:40 → 00:00:30


def test_repeated_call_ids_are_different_tickets(imported):
    ids = [e["ticket"] for e in imported[2] if e["type"] == "ticket_issued"]
    assert len(set(ids)) == len(ids)
    assert "anonbank.AA0101-2-990215" in ids and "anonbank.AA0102-2-990215" in ids


def test_hang_ups_and_unrecorded_services_leave_the_queue(imported):
    events = imported[2]
    cancelled = {e["ticket"].split(".")[1]: e for e in events if e["type"] == "ticket_cancelled"}
    assert cancelled["AA0103-3-990215"]["reason"] == "hang_up"
    assert cancelled["AA0104-6-990215"]["reason"] == "unrecorded"
    issued = {e["ticket"]: e["at"] for e in events if e["type"] == "ticket_issued"}
    assert cancelled["AA0103-3-990215"]["at"] - issued["anonbank.AA0103-3-990215"] == 40
    assert cancelled["AA0104-6-990215"]["at"] - issued["anonbank.AA0104-6-990215"] == 30


def test_calls_no_agent_took_use_their_own_window(imported):
    events = imported[2]
    call = next(e for e in events if e["type"] == "ticket_called" and "AA0104-7" in e["ticket"])
    assert call["window"] >= PSEUDO_FIRST
    around = [e["type"] for e in events if e.get("window") == call["window"]]
    assert around == ["window_opened", "ticket_called", "ticket_started", "ticket_finished", "window_closed"]


def test_priority_type_and_items(imported):
    events = imported[2]
    issued = {e["ticket"].split(".")[1]: e for e in events if e["type"] == "ticket_issued"}
    assert issued["AA0101-2-990215"]["priority"] == "priority" and issued["AA0101-2-990215"]["queue"] == "ne"
    assert issued["AA0102-2-990215"]["priority"] == "normal" and issued["AA0102-2-990215"]["item"] == "ps-p1"


def test_a_midnight_call_stays_in_its_business_day_and_idle_agents_log_off(imported):
    events, counts = imported[2], imported[3]
    assert [e["day"] for e in events if e["type"] == "day_started"] == ["1999-02-15"]
    assert counts["lost_at_day_change"] == 0
    state = fold(events)
    assert {t.status for t in state.tickets.values()} == {"done", "cancelled"}
    dorit = next(w.number for w in state.windows.values() if w.name == "DORIT")
    kinds = [e["type"] for e in events if e.get("window") == dorit and e["type"].startswith("window")]
    # opened for the 10:00 call, closed 10 idle minutes after it, opened again at 23:40
    assert kinds[:3] == ["window_opened", "window_closed", "window_opened"]
    assert all(w.state == "closed" for w in state.windows.values())


def test_the_file_reader_reads_the_tab_separated_format(tmp_path):
    path = tmp_path / "month.tsv"
    buf = io.StringIO()
    buf.write("\t".join(HEADER) + "\n")
    for r in ROWS:
        buf.write("\t".join(r[h] for h in HEADER) + "\n")
    path.write_text(buf.getvalue(), encoding="utf-8")
    calls, skipped = read_calls(str(path))
    assert len(calls) == 8 and skipped["phantom"] == 1
