"""Appointments and remote tickets over HTTP: masking, limits, check-in order."""
import pytest

from tests.helpers import small_center


@pytest.fixture
def bookable(hall):
    cfg = small_center("east")
    cfg["queues"][0]["appointments"] = {"slots": ["10:30-11:30", "14:00-15:00"], "capacity": 1}
    cfg["remote"] = {"per_day": 2, "max_km": 5}
    hall.execute("east", "configure", {"config": cfg})


def book(client, **kw):
    body = {"queue": "general", "day": "2026-11-26", "slot": "10:30-11:30", "name": "张三丰",
            "phone": "13812345678", **kw}
    return client.post("/api/v1/centers/east/appointments", json=body)


def test_booking_is_masked_and_takes_the_slot(client, bookable):
    r = book(client)
    assert r.status_code == 201
    b = r.json
    assert (b["name"], b["phone"], b["status"]) == ("张**", "138****5678", "booked")
    assert len(b["code"]) == 8 and b["code"].isdigit()
    slots = client.get("/api/v1/centers/east/appointments?queue=general&day=2026-11-26").json["slots"]
    assert slots[0] == {"slot": "10:30-11:30", "capacity": 1, "booked": 1, "available": 0}
    assert book(client, phone="13900000000").status_code == 503
    shown = client.get(f"/api/v1/centers/east/appointments/{b['code']}").get_data(as_text=True)
    assert "13812345678" not in shown and "张三丰" not in shown


def test_cancel_needs_the_booking_phone(client, bookable):
    code = book(client).json["code"]
    r = client.delete(f"/api/v1/centers/east/appointments/{code}", json={"phone": "13900000000"})
    assert r.status_code == 404
    r = client.delete(f"/api/v1/centers/east/appointments/{code}", json={"phone": "138 1234 5678"})
    assert r.status_code == 200 and r.json["status"] == "cancelled"


def test_check_in_with_the_code_goes_ahead_of_walk_ins(client, auth, bookable, clock):
    code = book(client).json["code"]
    kiosk = auth.headers("kiosk-east")
    walk_in = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=kiosk).json
    clock.set("2026-11-26 10:25")
    t = client.post("/api/v1/centers/east/tickets", json={"appointment_code": code}, headers=kiosk)
    assert t.status_code == 201 and t.json["priority"] == "normal" and t.json["appointment"] == code
    again = client.post(f"/api/v1/centers/east/appointments/{code}/check-in", headers=kiosk)
    assert again.status_code == 201 and again.json["id"] == t.json["id"]
    staff = auth.headers("staff-east")
    client.post("/api/v1/centers/east/windows/1/open", headers=staff)
    first = client.post("/api/v1/centers/east/windows/1/call-next", headers=staff).json
    assert first["id"] == t.json["id"]
    client.post("/api/v1/centers/east/windows/1/finish", headers=staff)
    assert client.post("/api/v1/centers/east/windows/1/call-next", headers=staff).json["id"] == walk_in["id"]


@pytest.mark.parametrize("body, status", [
    ({"phone": "12345"}, 400), ({"name": ""}, 400), ({"slot": "10:00-11:00"}, 400),
    ({"day": "someday"}, 400), ({"queue": "police"}, 409), ({"queue": "nope"}, 404),
])
def test_bad_bookings(client, bookable, body, status):
    r = book(client, **body)
    assert r.status_code == status and r.json["error"]["message"]


NEAR = [22.591, 113.081]


def test_remote_tickets_are_limited_per_phone(client, bookable):
    take = lambda **kw: client.post("/api/v1/centers/east/tickets",
                                    json={"queue": "general", "location": NEAR, **kw})
    assert take(phone="13812345678").status_code == 201
    r = take(phone="13812345678")
    assert r.status_code == 409 and r.json["error"]["code"] == "remote_active_ticket"
    assert take(phone="13812345678", queue="police").status_code == 201
    r = take(phone="13812345678", queue="tax")
    assert r.status_code == 409 and r.json["error"]["code"] == "remote_daily_limit"
    assert take(openid="oABC123").status_code == 201


def test_remote_tickets_only_near_the_centre_when_it_says_so(client, bookable):
    far = client.post("/api/v1/centers/east/tickets", json={"queue": "general", "location": [23.13, 113.26]})
    assert far.status_code == 403 and far.json["error"]["code"] == "too_far"
    none = client.post("/api/v1/centers/east/tickets", json={"queue": "general"})
    assert none.status_code == 400 and none.json["error"]["code"] == "location_required"
