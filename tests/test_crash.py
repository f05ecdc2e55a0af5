"""SIGKILL a `hall serve` in the middle of a stream of issues and calls: nothing answered is lost."""
import random
import threading
import time

import pytest
import requests


def stream(server, seen, stop):
    """Issue tickets and call/finish them at window 1, recording every answered state."""
    s = requests.Session()
    api = server.url + "/api/v1/centers/east"
    s.post(f"{api}/windows/1/open", headers=server.headers("staff-east"), timeout=5)
    n = 0
    while not stop.is_set():
        n += 1
        try:
            r = s.post(f"{api}/tickets", json={"queue": "police"}, headers=server.headers("kiosk-east"), timeout=5)
            if r.status_code == 201:
                seen[r.json()["id"]] = (r.json()["number"], r.json()["status"])
            if n % 3 == 0:
                h = server.headers("staff-east")
                s.post(f"{api}/windows/1/finish", headers=h, timeout=5)
                r = s.post(f"{api}/windows/1/call-next", headers=h, timeout=5)
                if r.status_code == 200:
                    # the previous ticket at window 1 was finished by the call (or before it)
                    for tid, (num, st) in list(seen.items()):
                        if st == "called":
                            seen[tid] = (num, "done")
                    seen[r.json()["id"]] = (r.json()["number"], "called")
        except requests.RequestException:
            return


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_sigkill_loses_nothing_answered(hall_server, redis_url, backend):
    server = hall_server(redis_url=redis_url if backend == "redis" else None).start()
    seen, stop = {}, threading.Event()
    t = threading.Thread(target=stream, args=(server, seen, stop))
    t.start()
    deadline = time.time() + 20
    while len(seen) < 60 and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(random.uniform(0, 0.2))
    server.kill()
    stop.set()
    t.join(10)
    answered = dict(seen)
    assert len(answered) >= 60

    server.start()
    for tid, (number, status) in answered.items():
        r = requests.get(f"{server.url}/api/v1/tickets/{tid}", timeout=5)
        assert r.status_code == 200, (tid, number)
        assert r.json()["number"] == number
        # a command in flight at the kill may have landed after its ticket's last answer, never before
        later = {"waiting": {"waiting", "called", "done"}, "called": {"called", "done"}, "done": {"done"}}
        assert r.json()["status"] in later[status], (number, status, r.json()["status"])
    r = requests.post(f"{server.url}/api/v1/centers/east/tickets", json={"queue": "police"},
                      headers=server.headers("kiosk-east"), timeout=5)
    numbers = sorted(int(n[1:]) for n, _ in answered.values())
    assert int(r.json()["number"][1:]) > numbers[-1]
    assert len(set(numbers)) == len(numbers)


def _reports(server, redis_url):
    """(the day's report the server reads from its aggregates, the report of the raw events of the log)."""
    from datetime import datetime
    from hall.core.clock import zone
    from hall.manage.reports import build, period_bounds
    from hall.store import open_store
    store = open_store(server.env["HALL_DATA_DIR"], redis_url)
    try:
        events = store.read("east")
        config = next(e["config"] for e in reversed(events) if e["type"] == "center_configured")
        day = datetime.fromtimestamp(events[-1]["at"], zone(config["timezone"])).date().isoformat()
        _, _, start, end = period_bounds("day", day, config["timezone"])
        raw = build(events, config, start, end)
    finally:
        store.close()
    r = requests.get(f"{server.url}/api/v1/centers/east/reports?period=day&date={day}",
                     headers=server.headers("manager-east"), timeout=10)
    assert r.status_code == 200, r.text
    stored = {k: v for k, v in r.json().items() if k in raw}
    return stored, raw


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_sigkill_between_appends_and_aggregate_updates_leaves_the_reports_right(hall_server, redis_url, backend):
    """A kill mid-stream, then events appended with no aggregate update at all (as when a process
    dies right after its append): after a restart the report read from the aggregates is the
    report of the raw log."""
    from hall.centre import Hall
    from hall.store import open_store
    url = redis_url if backend == "redis" else None
    server = hall_server(redis_url=url).start()
    seen, stop = {}, threading.Event()
    t = threading.Thread(target=stream, args=(server, seen, stop))
    t.start()
    deadline = time.time() + 20
    while len(seen) < 40 and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(random.uniform(0, 0.2))
    server.kill()
    stop.set()
    t.join(10)
    store = open_store(server.env["HALL_DATA_DIR"], url)
    hall = Hall(store)                        # no aggregate keeper: appends whose update never happens
    issued = [hall.execute("east", "issue", {"queue": "police"}, by="test")[0] for _ in range(3)]
    hall.execute("east", "cancel", {"ticket": issued[0]}, by="test")
    assert store.aggregate_mark("east")["seq"] < store.version("east")
    store.close()

    server.start()
    stored, raw = _reports(server, url)
    assert stored == raw and raw["totals"]["issued"] >= 40
    r = requests.post(f"{server.url}/api/v1/centers/east/tickets", json={"queue": "police"},
                      headers=server.headers("kiosk-east"), timeout=5)
    assert r.status_code == 201
    stored, raw = _reports(server, url)
    assert stored == raw
