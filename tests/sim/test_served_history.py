"""Issue #13's "done means": a served hall on a long log starts from its snapshot and tail.

A months-long history is written by `hall simulate --store`'s own function (which teaches the wait
estimator and keeps what it learned in the closing snapshot); a real `hall serve` then starts on it,
and one more on a copy of the same store without its snapshot (which reads the whole log and relearns
it). The first must read only the events after the snapshot, and both must answer the same
estimates and the same month's report.
"""
import os
import re
import shutil
import sqlite3
from datetime import date

from hall import catalog
from hall.sim.history import write_history
from hall.store import open_store
from tests.helpers import SERVED_START, HallServer, api, wait_until

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
CENTRE = "donghu-community"
LOADED = re.compile(rf"loaded {CENTRE} from (its snapshot at seq (\d+)|no snapshot), read (\d+) events")


def loads(server):
    """The start-up lines of the server's log about the centre: (snapshot seq or None, events read)."""
    with open(server.log.name, encoding="utf-8", errors="replace") as f:
        return [(int(m[2]) if m[2] else None, int(m[3])) for m in LOADED.finditer(f.read())]


def version(data):
    store = open_store(data)
    try:
        return store.version(CENTRE)
    finally:
        store.close()


def snapshot(data):
    store = open_store(data)
    try:
        return store.load_snapshot(CENTRE)
    finally:
        store.close()


def estimates(server, ticket):
    # as the centre's staff: polled until both trainings are done, a phone's budget would run out
    centre = api(server, "GET", f"/centers/{CENTRE}", f"manager-{CENTRE}").json()
    queues = {q["id"]: q["est_wait_s"] for q in centre["queues"]}
    return queues, api(server, "GET", f"/tickets/{ticket}", f"manager-{CENTRE}").json()["est_wait_s"]


def test_start_reads_the_snapshot_and_its_tail_and_answers_as_from_the_whole_log(tmp_path):
    centre = next(c for c in catalog.read(os.path.join(ROOT, "hall", "demo", "district.yaml")) if c["id"] == CENTRE)
    data = tmp_path / "a" / "data"
    os.makedirs(data)
    store = open_store(str(data))
    written = write_history(store, centre, 50, seed=3, today=date.fromisoformat(SERVED_START[:10]))
    snapshot_at = store.load_snapshot(CENTRE)["version"]
    assert store.load_snapshot(CENTRE)["learned"] is not None
    store.close()
    assert written["events"] > 10_000 and snapshot_at == written["events"]

    a = HallServer(tmp_path / "a", centers=[centre])
    try:
        a.start()
        for n in (1, 2):
            assert api(a, "POST", f"/centers/{CENTRE}/windows/{n}/open", f"staff-{CENTRE}").status_code == 200
        for _ in range(4):       # the last waits behind three
            r = api(a, "POST", f"/centers/{CENTRE}/tickets", f"kiosk-{CENTRE}", json={"queue": "general"})
            assert r.status_code == 201, r.text
        ticket = r.json()["id"]
        (first,) = loads(a)
        assert first[0] == snapshot_at and first[1] < 50, first     # the catalogue's reload, if anything
        a.stop()

        # the same store without its snapshot: a start that reads (and learns) the whole log
        shutil.copytree(data, tmp_path / "b" / "data")
        db = sqlite3.connect(tmp_path / "b" / "data" / "hall.db")
        with db:
            db.execute("DELETE FROM snapshots WHERE stream = ?", (CENTRE,))
        db.close()
        b = HallServer(tmp_path / "b", join=a)
        a.start()
        b.start()
        total = version(str(data))
        assert loads(a)[-1] == (snapshot_at, total - snapshot_at)
        assert total - snapshot_at < 50
        assert api(b, "GET", f"/centers/{CENTRE}").status_code == 200
        assert loads(b) == [(None, total)]
        # b relearns the log apart and keeps it in a new snapshot once done
        wait_until(lambda: snapshot(str(tmp_path / "b" / "data")), timeout=60,
                   what="the relearned log's snapshot")

        seen = wait_until(lambda: (lambda x, y: x == y and x)(estimates(a, ticket), estimates(b, ticket)),
                          timeout=120, what="the same estimates")
        queues, mine = seen
        assert mine is not None and mine > 0 and any(v for v in queues.values()), seen

        month = f"/centers/{CENTRE}/reports?period=month&date=2026-10-01"
        ra, rb = api(a, "GET", month, f"manager-{CENTRE}"), api(b, "GET", month, f"manager-{CENTRE}")
        assert ra.status_code == rb.status_code == 200
        report_a, report_b = ra.json(), rb.json()
        report_a.pop("generated_at"), report_b.pop("generated_at")      # each process's own clock
        assert report_a == report_b
        assert sum(d["issued"] for d in report_a["days"]) > 100, report_a
    finally:
        a.stop()
        if "b" in locals():
            b.stop()
