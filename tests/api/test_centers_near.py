"""GET /centers with `near`, `limit` and `offset`: nearest first with great-circle `distance_m`,
pages that join up, 400 for bad input, the edge's cache keyed on the query, a province of 2,000."""
import math
import time

import pytest

from hall import catalog
from hall.app import create_app
from hall.sim.province import province
from tests.api.openapi_check import CheckedClient
from tests.helpers import small_center

# one degree of a great circle on the sphere of radius 6371 km (the mean Earth radius)
DEGREE_M = 6_371_000 * math.pi / 180

# (id, [lat, lon]); "nowhere" has no location and comes last
PLACES = [("north", [24.0, 113.0]), ("origin", [23.0, 113.0]), ("east", [23.0, 114.0]),
          ("far", [0.0, 90.0]), ("equator", [0.0, 0.0])]


@pytest.fixture
def places(tmp_path, clock):
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "CLOCK": clock, "SECRET_KEY": "test-secret"})
    centers = [small_center(cid, location=loc) for cid, loc in PLACES] + \
        [small_center("nowhere", location=None)]
    catalog.load(app.extensions["hall"], catalog.parse({"centers": centers}))
    app.test_client_class = CheckedClient
    yield app
    app.extensions["hall"].store.close()


def centers(client, query=""):
    r = client.get("/api/v1/centers" + query)
    assert r.status_code == 200, r.json
    return r.json["centers"]


def test_without_arguments_the_answer_is_as_before(places):
    got = centers(places.test_client())
    assert [c["id"] for c in got] == [cid for cid, _ in PLACES] + ["nowhere"]
    assert all("distance_m" not in c for c in got)


def test_near_sorts_nearest_first_with_great_circle_metres(places):
    got = centers(places.test_client(), "?near=23,113")
    assert [c["id"] for c in got] == ["origin", "east", "north", "far", "equator", "nowhere"]
    d = {c["id"]: c["distance_m"] for c in got}
    assert d["origin"] == 0 and d["nowhere"] is None
    assert d["north"] == pytest.approx(DEGREE_M, abs=1)             # along a meridian
    # a degree along the 23rd parallel is cos(23°) of a meridian's; the great circle is a hair shorter
    parallel = DEGREE_M * math.cos(math.radians(23))
    assert parallel - 20 < d["east"] <= round(parallel)
    # from the equator's (0, 0) a quarter of the way round is (0, 90)
    far = {c["id"]: c["distance_m"] for c in centers(places.test_client(), "?near=0,0")}
    assert far["equator"] == 0 and far["far"] == pytest.approx(90 * DEGREE_M, abs=1)


def test_pages_join_up_to_the_whole_list(places):
    client = places.test_client()
    for near in ("", "near=23.5,113.2&"):
        whole = centers(client, "?" + near)
        for limit in (1, 2, 4):
            pages, offset = [], 0
            while True:
                page = centers(client, f"?{near}limit={limit}&offset={offset}")
                assert len(page) <= limit
                pages += page
                offset += limit
                if len(page) < limit:
                    break
            assert [c["id"] for c in pages] == [c["id"] for c in whole]
        assert centers(client, f"?{near}offset=2") == whole[2:]


@pytest.mark.parametrize("query", [
    "near=23", "near=23,", "near=abc,113", "near=91,113", "near=23,181", "near=nan,113", "near=23,113,5",
    "near=" + "1" * 70, "limit=0", "limit=-1", "limit=x", "limit=501", "offset=-1", "offset=1.5",
])
def test_bad_input_is_a_400_in_our_format(places, query):
    r = places.test_client().get("/api/v1/centers?" + query)
    assert r.status_code == 400
    assert r.json["error"]["code"] == "bad_input" and r.json["error"]["message"]


def test_the_cache_keeps_each_query_apart(places):
    client = places.test_client()
    north = centers(client, "?near=24,113&limit=1")
    south = centers(client, "?near=0,0&limit=1")          # within the cache's second
    assert north[0]["id"] == "north" and south[0]["id"] == "equator"
    assert centers(client, "?near=24,113&limit=1") == north
    assert len(centers(client)) == 6 and len(centers(client, "?limit=2")) == 2


def test_a_province_of_2000_centres(tmp_path, clock):
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "CLOCK": clock, "SECRET_KEY": "test-secret"})
    try:
        doc = province(2000, seed=7)
        catalog.load(app.extensions["hall"], catalog.parse(doc))
        client = app.test_client()
        guangzhou = (23.129, 113.264)
        page = centers(client, "?near=23.129,113.264&limit=20")
        assert len(page) == 20
        # the 20 nearest of the catalogue, by the catalogue's own locations
        by_degrees = sorted(doc["centers"], key=lambda c: math.dist(c["location"], guangzhou))
        assert {c["id"] for c in page} <= {c["id"] for c in by_degrees[:40]}
        assert [c["distance_m"] for c in page] == sorted(c["distance_m"] for c in page)
        assert page[0]["distance_m"] < 20_000 and page[0]["queues"]
        assert centers(client, "?near=23.129,113.264&limit=20&offset=20")[0]["distance_m"] >= page[-1]["distance_m"]
        assert len(centers(client)) == 2000
    finally:
        app.extensions["hall"].store.close()


def _waiting(client, query):
    return {c["id"]: c["queues"][0]["waiting"] for c in centers(client, query)}


def test_a_ticket_taken_in_this_process_shows_on_the_next_page_at_once(places):
    client = places.test_client()
    before = _waiting(client, "?near=23,113&limit=2")
    assert client.post("/api/v1/centers/origin/tickets", json={"queue": "general"}).status_code == 201
    # the summary made a moment ago is dropped with the command, not kept for its second
    assert _waiting(client, "?near=23,113&limit=2") == {**before, "origin": before["origin"] + 1}
    assert _waiting(client, "?near=23.0,113.0&limit=3")["origin"] == before["origin"] + 1


def test_another_process_s_ticket_shows_within_the_second(places, tmp_path, clock):
    client = places.test_client()
    before = _waiting(client, "?near=23,113&limit=1")["origin"]
    other = create_app({"DATA_DIR": str(tmp_path / "data"), "CLOCK": clock, "SECRET_KEY": "test-secret"})
    try:
        assert other.test_client().post("/api/v1/centers/origin/tickets", json={"queue": "general"}).status_code == 201
        deadline = time.monotonic() + 10
        while _waiting(client, "?near=23,113&limit=1")["origin"] == before:
            assert time.monotonic() < deadline, "another process's ticket never showed"
            time.sleep(0.1)
        assert _waiting(client, "?near=23,113&limit=1")["origin"] == before + 1
    finally:
        other.extensions["hall"].store.close()
