"""Tickets by ID card, in-process on the test's clock: the number checked and hashed at the edge, one
waiting ticket per person and queue, bookings checked in by card, 绿色通道 by age, no-shows, cards
required per queue, and nothing of the card in clear in the log."""
import json

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from hall import catalog
from hall.api.id_cards import age_on, check_digit_ok, mask_number
from tests.helpers import small_center

ZHANG = {"number": "11010519491231002X", "name": "张三"}     # born 1949-12-31: 76 on 2026-11-26
LI = {"number": "110101198001011232", "name": "李四"}


@pytest.fixture
def k(kiosk_app, auth):
    auth.device("kiosk-west", "kiosk", "east")
    return auth.headers("kiosk-east")


def take(client, headers, card, **body):
    return client.post("/api/v1/centers/east/tickets", json={"queue": "general", **body, "id_card": card},
                       headers=headers)


def read(client, headers, card=ZHANG):
    return client.post("/kiosk/east/id-card", json=card, headers=headers)


def test_gb11643_check_digit_age_and_mask():
    assert check_digit_ok("11010519491231002X") and check_digit_ok("110101198001011232")
    assert not check_digit_ok("110101198001011231")          # the check digit is wrong
    assert not check_digit_ok("110101198002301236")          # 30 February
    assert not check_digit_ok("11010119800101123") and not check_digit_ok(None)
    from datetime import date
    assert age_on("11010519491231002X", date(2026, 12, 30)) == 76
    assert age_on("11010519491231002X", date(2026, 12, 31)) == 77
    assert mask_number("110101198001011232") == "110101********1232"


def test_a_wrong_check_digit_is_400_bad_id_number(client, k):
    r = take(client, k, {"number": "110101198001011231", "name": "李四"})
    assert r.status_code == 400 and r.json["error"]["code"] == "bad_id_number"
    r = read(client, k, {"number": "110101198001011231", "name": "李四"})
    assert r.status_code == 400 and r.json["error"]["code"] == "bad_id_number"
    assert client.post("/kiosk/east/id-card", json={"number": 5}, headers=k).status_code == 400


def test_only_a_kiosk_may_send_a_card(client, kiosk_app, auth):
    r = client.post("/api/v1/centers/east/tickets", json={"queue": "general", "id_card": ZHANG})
    assert r.status_code == 403
    assert client.post("/kiosk/east/id-card", json=ZHANG).status_code == 401


def test_one_waiting_ticket_per_person_and_queue(client, k, hall):
    first = take(client, k, ZHANG)
    assert first.status_code == 201
    again = take(client, k, {**ZHANG, "number": ZHANG["number"].lower()})
    assert again.status_code == 409
    assert again.json["error"]["code"] == "already_waiting" and again.json["error"]["number"] == first.json["number"]
    assert take(client, k, ZHANG, queue="police").status_code == 201       # another queue
    assert take(client, k, LI).status_code == 201                          # another person
    hall.execute("east", "open", {"window": 1})
    assert hall.execute("east", "call-next", {"window": 1})[0] == first.json["id"]
    assert take(client, k, ZHANG).status_code == 201                       # called: no longer waiting


def test_a_card_read_tells_the_page_masked_facts_and_a_reference(client, k, clock):
    msg = read(client, k).json
    assert msg["name_masked"] == "张*" and msg["number_masked"] == "110105********002X"
    assert msg["age"] == 76 and msg["elderly"] is True and msg["elderly_age"] == 70
    assert msg["booking"] is None and msg["waiting"] == []
    text = json.dumps(msg, ensure_ascii=False)
    assert ZHANG["number"] not in text and "张三" not in text
    t = take(client, k, {"ref": msg["ref"]}, priority="priority")
    assert t.status_code == 201 and t.json["priority"] == "priority"
    assert read(client, k).json["waiting"] == [{"queue": "general", "queue_name": "综合受理",
                                                "number": t.json["number"], "status": "waiting"}]
    # the same reference again: the same person, so the same one-per-queue rule
    assert take(client, k, {"ref": msg["ref"]}).json["error"]["code"] == "already_waiting"
    clock.advance(121)
    late = take(client, k, {"ref": msg["ref"]}, queue="police")
    assert late.status_code == 400 and late.json["error"]["code"] == "id_card_expired"


def test_a_reference_is_good_only_at_the_kiosk_that_read_the_card(client, k, auth):
    ref = read(client, k).json["ref"]
    other = auth.headers("kiosk-west")
    assert take(client, other, {"ref": ref}).json["error"]["code"] == "bad_id_card"
    assert take(client, k, {"ref": ref[:-3] + "AAA"}).json["error"]["code"] == "bad_id_card"
    assert take(client, k, {"ref": 12}).status_code == 400


def test_the_holder_reprints_their_own_ticket_without_the_guide(client, k):
    ref = read(client, k).json["ref"]
    mine = take(client, k, {"ref": ref}).json
    someone = take(client, k, LI).json
    r = client.post("/kiosk/east/reprint", json={"code": mine["number"], "id_card": {"ref": ref}}, headers=k)
    assert r.status_code == 200 and r.json["printed"] is True
    r = client.post("/kiosk/east/reprint", json={"code": someone["number"], "id_card": {"ref": ref}}, headers=k)
    assert r.status_code == 404
    assert client.post("/kiosk/east/reprint", json={"code": mine["number"]}, headers=k).status_code == 400


def test_a_booking_made_with_the_id_number_is_checked_in_by_the_card(client, k, hall):
    c = small_center("east")
    c["queues"][0]["appointments"] = {"slots": ["10:15-10:45", "14:00-15:00"], "capacity": 2}
    catalog.load(hall, catalog.parse({"centers": [c]}))
    booked = client.post("/api/v1/centers/east/appointments", json={
        "queue": "general", "day": "2026-11-26", "slot": "10:15-10:45", "name": "张三", "phone": "13812345678",
        "id_number": ZHANG["number"]})
    assert booked.status_code == 201
    bad = client.post("/api/v1/centers/east/appointments", json={
        "queue": "general", "day": "2026-11-26", "slot": "14:00-15:00", "name": "李四", "phone": "13812345679",
        "id_number": "110101198001011231"})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "bad_id_number"
    msg = read(client, k).json
    assert msg["booking"]["slot"] == "10:15-10:45" and msg["booking"]["status"] == "booked"
    assert "code" not in msg["booking"]
    r = client.post("/api/v1/centers/east/tickets", json={"id_card": {"ref": msg["ref"]}}, headers=k)
    assert r.status_code == 201 and r.json["appointment"] == booked.json["code"]
    again = client.post("/api/v1/centers/east/tickets", json={"id_card": {"ref": msg["ref"]}}, headers=k)
    assert again.status_code == 201 and again.json["id"] == r.json["id"]
    nobody = client.post("/api/v1/centers/east/tickets", json={"id_card": LI}, headers=k)
    assert nobody.status_code == 404 and nobody.json["error"]["code"] == "no_appointment"


def test_a_queue_may_require_a_card(client, k, hall):
    c = small_center("east")
    c["queues"][1]["id_card_required"] = True
    catalog.load(hall, catalog.parse({"centers": [c]}))
    r = client.post("/api/v1/centers/east/tickets", json={"queue": "police"}, headers=k)
    assert r.status_code == 403 and r.json["error"]["code"] == "id_card_required"
    assert take(client, k, ZHANG, queue="police").status_code == 201
    assert client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=k).status_code == 201
    assert read(client, k, LI).json["card_queues"] == ["police"]


def test_an_elderly_age_may_be_set_per_centre(client, k, hall):
    catalog.load(hall, catalog.parse({"centers": [small_center("east", elderly_age=80)]}))
    msg = read(client, k).json
    assert msg["elderly"] is False and msg["elderly_age"] == 80


def test_repeated_no_shows_by_card_are_limited_as_bookings_are(client, k, hall, clock):
    for day in ("2026-11-26 10:00", "2026-11-27 10:00", "2026-11-28 10:00"):     # Thu, Fri, Sat
        clock.set(day)
        assert take(client, k, ZHANG).status_code == 201
        hall.execute("east", "open", {"window": 1})
        hall.execute("east", "call-next", {"window": 1})
        hall.execute("east", "no-show", {"window": 1})
    clock.set("2026-11-30 10:00")                                                 # Monday
    r = take(client, k, ZHANG)
    assert r.status_code == 409 and r.json["error"]["code"] == "no_show_limited"
    assert take(client, k, LI).status_code == 201
    # without the card the kiosk still serves them (touch only)
    assert client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=k).status_code == 201


def test_nothing_of_the_card_is_in_the_log(client, k, hall):
    read(client, k)
    take(client, k, ZHANG)
    take(client, k, ZHANG)
    take(client, k, LI, queue="police")
    log = json.dumps(list(hall.events("east")), ensure_ascii=False)
    for secret in (ZHANG["number"], LI["number"], "张三", "李四", "19491231"):
        assert secret not in log
    assert log.count('"person": "idcard:') + log.count('"person":"idcard:') == 2


def test_a_kiosk_whose_agent_is_away_keeps_the_ticket(client, k, kiosk_app, hall):
    kiosk_app.config["KIOSKS"] = {"kiosk-east": {"printer": {"kind": "agent", "paper_mm": 58}}}
    t = take(client, k, ZHANG).json
    answer = client.post(f"/kiosk/east/print/{t['id']}", json={}, headers=k).json
    assert answer["printed"] is False and answer["fault"] == "offline" and answer["needs_confirm"] is True
    assert hall.state("east").tickets[t["id"]].status == "waiting"
    assert [e["type"] for e in hall.events("east")][-2:] == ["ticket_print_failed", "device_reported"]


BAD = b'{"number": '


@pytest.mark.parametrize("path, body, status", [
    ("/kiosk/east/id-card", BAD, 400),
    ("/kiosk/east/id-card", {"number": ["x"], "name": "张三"}, 400),
    ("/kiosk/east/id-card", {"number": "11010519491231002X", "name": ""}, 400),
    ("/kiosk/east/id-card", {"number": "11010519491231002X", "name": "张" * 31}, 400),
    ("/kiosk/west/id-card", ZHANG, 403),
    ("/kiosk/east/agent/printed/nojob", {"printed": True}, 404),
    ("/kiosk/east/agent/printed/nojob", {"printed": "yes"}, 400),
    ("/kiosk/east/agent/printed/nojob", BAD, 400),
    ("/kiosk/east/agent/status", {"printer": "on fire"}, 400),
    ("/kiosk/east/agent/status", {"reader": 1}, 400),
    ("/kiosk/east/reprint", {"code": "A001", "id_card": "x"}, 400),
    ("/kiosk/east/reprint", {"code": "A001", "id_card": {"ref": "a.b"}}, 400),
])
def test_the_agents_endpoints_answer_bad_input_with_4xx(client, k, path, body, status):
    if isinstance(body, bytes):
        r = client.post(path, data=body, headers={**k, "Content-Type": "application/json"})
    else:
        r = client.post(path, json=body, headers=k)
    assert r.status_code == status, r.get_data(as_text=True)
    assert r.json["error"]["code"] and r.json["error"]["message"]
    assert client.post(path, json={}).status_code == 401           # and no token: 401


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(["number", "name", "ref", "x"]),
                                                                        c, max_size=3), max_leaves=6))
def test_any_id_card_value_gets_an_answer_not_a_500(client, k, value):
    r = client.post("/api/v1/centers/east/tickets", json={"queue": "general", "id_card": value}, headers=k)
    assert r.status_code in (201, 400, 409), r.get_data(as_text=True)


def test_the_agent_status_is_recorded_once_per_change(client, k, hall):
    for _ in range(2):
        assert client.post("/kiosk/east/agent/status", json={"reader": "offline"}, headers=k).status_code == 200
    assert client.post("/kiosk/east/agent/status", json={"printer": "paper_out"}, headers=k).status_code == 200
    reports = [(e["device"], e["status"]) for e in hall.events("east") if e["type"] == "device_reported"]
    assert reports == [("kiosk-east.id-reader", "offline"), ("kiosk-east", "fault")]
    assert client.get("/kiosk/east/me", headers=k).json["id_reader"] == "offline"
