"""Unknown ids cost nothing: lookups of centres and tickets that do not exist answer 404 and leave
the process as it was (no state, no lock, no learner per id an anonymous client makes up)."""
import gc
import tracemalloc

import pytest

from hall import catalog
from hall.app import create_app
from hall.core import Refused
from tests.helpers import small_center

LOOKUPS = 50_000
TRACED_FROM = 40_000


@pytest.fixture
def quiet_app(tmp_path, clock):
    # no rate limit: the point is what the lookups cost, not that a client is slowed down
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "CLOCK": clock, "SECRET_KEY": "test-secret",
                      "RATE_LIMIT_PER_S": 0})
    catalog.load(app.extensions["hall"], catalog.parse({"centers": [small_center("east")]}))
    yield app
    app.extensions["hall"].store.close()


def _sizes(hall):
    est = hall.estimator
    return (len(hall._states), len(hall._locks), len(hall._snapshotted), len(hall._known),
            len(est._learners), len(est._following))


def _unknown(i):
    """A mix of made-up centres and tickets, of good and bad shapes."""
    k = i % 5
    if k == 0:
        return f"/api/v1/centers/nowhere-{i}"
    if k == 1:
        return f"/api/v1/tickets/east.madeup{i}"           # a real centre, a made-up ticket
    if k == 2:
        return f"/api/v1/tickets/nowhere-{i}.tok{i}"
    if k == 3:
        return f"/api/v1/centers/BAD_{i}"
    return f"/api/v1/tickets/{i}"


def test_fifty_thousand_unknown_lookups_answer_404_and_leave_memory_flat(quiet_app):
    client = quiet_app.test_client()
    hall = quiet_app.extensions["hall"]
    assert client.get("/api/v1/centers/east").status_code == 200
    t = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}).json["id"]
    for i in range(2000):                       # warm up: whatever is made once is made
        assert client.get(_unknown(i)).status_code == 404
    before = _sizes(hall)

    def lookups(start, stop):
        for i in range(start, stop):
            r = client.get(_unknown(i))
            assert r.status_code == 404, (_unknown(i), r.status_code)
            assert r.json["error"]["code"] in ("unknown_center", "unknown_ticket")
    lookups(2000, TRACED_FROM)
    assert _sizes(hall) == before               # the gateway's own tables: not one entry more
    gc.collect()
    tracemalloc.start()                         # the whole process, over the last lookups (tracing is slow)
    start = tracemalloc.take_snapshot()
    lookups(TRACED_FROM, LOOKUPS)
    gc.collect()
    end = tracemalloc.take_snapshot()
    tracemalloc.stop()
    assert _sizes(hall) == before
    grown = sum(s.size_diff for s in end.compare_to(start, "filename"))
    assert grown < 64 * 1024, grown             # 10,000 lookups: under 7 bytes each, i.e. nothing kept
    assert client.get(f"/api/v1/tickets/{t}").status_code == 200      # and the real ones still answer


@pytest.mark.parametrize("path", ["/api/v1/centers/" + "a" * 64, "/api/v1/centers/East",
                                  "/api/v1/centers/district", "/api/v1/tickets/east",
                                  "/api/v1/tickets/east." + "x" * 65, "/api/v1/tickets/.x"])
def test_ids_of_the_wrong_shape_are_not_found(quiet_app, path):
    r = quiet_app.test_client().get(path)
    assert r.status_code == 404 and r.json["error"]["code"] in ("unknown_center", "unknown_ticket")


def test_a_command_on_an_unknown_centre_makes_nothing(quiet_app):
    hall = quiet_app.extensions["hall"]
    client = quiet_app.test_client()
    before = _sizes(hall)
    r = client.post("/api/v1/centers/nowhere/tickets", json={"queue": "general"})
    assert r.status_code == 404
    assert _sizes(hall)[:2] == before[:2]
    assert "nowhere" not in hall.centre_ids()


def test_a_refused_configure_of_a_new_centre_leaves_nothing_behind(quiet_app):
    hall = quiet_app.extensions["hall"]
    before = _sizes(hall)
    with pytest.raises(Refused):
        hall.execute("newcentre", "configure", {"config": {"id": "other"}})
    assert _sizes(hall)[:3] == before[:3] and "newcentre" not in hall.centre_ids()
