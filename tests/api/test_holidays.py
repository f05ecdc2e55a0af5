"""Over HTTP: a ticket asked for on National Day answers 503 `closed`, and the centre shows closed;
a make-up Saturday afternoon issues one (the app's catalogue follows the official calendar)."""


def test_a_ticket_on_a_public_holiday_is_refused_as_closed(client, auth, clock):
    clock.set("2026-10-01 10:00")
    r = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=auth.headers("kiosk-east"))
    assert r.status_code == 503 and r.get_json()["error"]["code"] == "closed"
    assert client.get("/api/v1/centers/east").get_json()["open"] is False


def test_a_make_up_saturday_afternoon_issues_tickets(client, auth, clock):
    clock.set("2026-10-10 15:00")
    r = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=auth.headers("kiosk-east"))
    assert r.status_code == 201, r.get_json()
    assert client.get("/api/v1/centers/east").get_json()["closes_at"].startswith("2026-10-10T17:30")
