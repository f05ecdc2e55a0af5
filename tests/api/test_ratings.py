"""好差评 over HTTP: the national options, reasons for a bad rating, once per channel, and the rating
window after the service (yesterday's ticket still rated; the day after the window refused)."""
import pytest

from hall.core import ratings
from tests.api.test_flow import act, issue

DAY = 86400


def served(client, auth):
    """A ticket taken, called and served at window 1: its id."""
    t = issue(client, auth).json
    act(client, auth, "open")
    act(client, auth, "call", ticket=t["id"])
    act(client, auth, "start")
    assert act(client, auth, "finish").json["status"] == "done"
    return t["id"]


def rate(client, tid, headers=None, **body):
    return client.post(f"/api/v1/tickets/{tid}/evaluation", json=body, headers=headers or {})


def test_options_list_every_level_with_its_words(client):
    r = client.get("/api/v1/evaluation/options")
    assert r.status_code == 200 and r.headers["Cache-Control"].startswith("public")
    levels = r.json["levels"]
    assert [lv["score"] for lv in levels] == [5, 4, 3, 2, 1]
    assert [lv["name"] for lv in levels] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    for lv in levels:
        codes = [o["code"] for o in lv["options"]]
        assert codes and len(set(codes)) == len(codes) and all(o["text"] for o in lv["options"])
    bad = {o["code"]: o["text"] for o in levels[4]["options"]}
    assert bad["many_trips"] == "多次跑动" and bad["not_told_once"] == "未一次告知"
    good = {o["code"]: o["text"] for o in levels[0]["options"]}
    assert good["done_once"] == "一次办成" and "attitude_bad" not in good
    en = client.get("/api/v1/evaluation/options?lang=en").json["levels"]
    assert en[0]["name"] == "Very satisfied" and en[4]["options"][0]["text"] == "Unfriendly service"


@pytest.mark.parametrize("body, code", [
    ({"score": 2}, "reason_required"),
    ({"score": 1, "options": []}, "reason_required"),
    ({"score": 1, "options": ["too_hot"]}, "unknown_option"),
    ({"score": 5, "options": ["many_trips"]}, "unknown_option"),     # a reason of the bad side
])
def test_a_bad_rating_needs_a_known_reason(client, auth, body, code):
    tid = served(client, auth)
    r = rate(client, tid, **body)
    assert r.status_code == 400 and r.json["error"]["code"] == code
    # nothing was recorded: a correct rating still goes through
    assert rate(client, tid, score=2, options=["inefficient"]).status_code == 201


def test_once_per_channel(client, auth, app):
    tid = served(client, auth)
    r = rate(client, tid, score=4, options=["efficient", "done_once"])
    assert r.status_code == 201 and r.json["score"] == 4
    again = rate(client, tid, score=5)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_rated"
    # the kiosk and the window's evaluator are channels of their own
    assert rate(client, tid, auth.headers("kiosk-east"), score=5).status_code == 201
    assert rate(client, tid, auth.headers("kiosk-east"), score=5).json["error"]["code"] == "already_rated"
    assert rate(client, tid, auth.headers("bridge-east"), score=3).status_code == 201
    assert rate(client, tid, auth.headers("bridge-east"), score=3).status_code == 409
    rated = app.extensions["hall"].state("east").rateable[tid]["rated"]
    assert rated == {"phone": 4, "kiosk": 5, "evaluator": 3}


def test_follow_up_carries_the_reasons(client, auth, app):
    tid = served(client, auth)
    assert rate(client, tid, score=1, options=["many_trips", "not_told_once"], comment="跑了三次").status_code == 201
    f = app.extensions["hall"].state("east").followups[f"fu-{tid}"]
    assert f["reasons"] == ["many_trips", "not_told_once"] and f["score"] == 1 and f["staff"] == "staff-east"


def test_the_evaluator_keypad_rates_bad_without_reasons(client, auth, app):
    """A keypad has a key per level, none for reasons: its 1 or 2 carries `other`."""
    tid = served(client, auth)
    assert rate(client, tid, auth.headers("bridge-east"), score=2).status_code == 201
    assert app.extensions["hall"].state("east").followups[f"fu-{tid}"]["reasons"] == [ratings.KEYPAD_OPTION]
    # the phone still may rate it, and names its reasons; the one follow-up stays
    assert rate(client, tid, score=1, options=["attitude_bad"]).status_code == 201
    assert len(app.extensions["hall"].state("east").followups) == 1


def test_yesterdays_ticket_is_shown_and_rated(client, auth, clock):
    tid = served(client, auth)
    clock.advance(DAY)
    issue(client, auth)                                   # the centre's new day begins
    r = client.get(f"/api/v1/tickets/{tid}")
    assert r.status_code == 200 and r.json["status"] == "done" and r.json["number"] == "A001"
    r = rate(client, tid, score=5, options=["done_once"])
    assert r.status_code == 201 and r.json["score"] == 5 and r.json["id"] == tid
    assert client.get(f"/api/v1/tickets/{tid}").json["score"] == 5


def test_the_last_moment_of_the_window_and_the_day_after(client, auth, clock):
    tid = served(client, auth)
    clock.advance(ratings.DEFAULT_RATING_DAYS * DAY - 1)
    issue(client, auth)
    assert rate(client, tid, score=5).status_code == 201          # one second before it closes
    clock.advance(1 + DAY)                                         # the day after the window
    issue(client, auth)
    r = rate(client, tid, auth.headers("kiosk-east"), score=5)
    assert r.status_code == 409 and r.json["error"]["code"] == "rating_closed"


def test_a_ticket_long_past_its_window_is_gone(client, auth, clock):
    tid = served(client, auth)
    clock.advance((ratings.DEFAULT_RATING_DAYS + 4) * DAY)     # a Monday
    issue(client, auth)
    assert client.get(f"/api/v1/tickets/{tid}").status_code == 404
    assert rate(client, tid, score=5).status_code == 404


def test_the_kiosk_rates_todays_service_by_its_number(client, auth, app):
    """At the kiosk a citizen types the number on their ticket: the kiosk channel, recorded as such."""
    tid = served(client, auth)
    kiosk = auth.headers("kiosk-east")
    url = "/api/v1/centers/east/evaluations"
    r = client.post(url, json={"number": "a001", "score": 4, "options": ["efficient"]}, headers=kiosk)
    assert r.status_code == 201 and r.json["id"] == tid and r.json["score"] == 4
    assert app.extensions["hall"].state("east").rateable[tid]["rated"] == {"kiosk": 4}
    again = client.post(url, json={"number": "A001", "score": 5}, headers=kiosk)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_rated"
    # the phone is another channel and may still rate it
    assert rate(client, tid, score=5).status_code == 201
    for body, who, status, code in (
        ({"number": "A009", "score": 5}, "kiosk-east", 404, None),
        ({"number": "A001", "score": 1}, "kiosk-east", 400, "reason_required"),
        ({"number": "1; drop", "score": 5}, "kiosk-east", 400, "bad_input"),
        ({"number": "A001", "score": 5}, "staff-east", 403, "forbidden"),
        ({"number": "A001", "score": 5}, None, 401, "unauthorized"),
    ):
        r = client.post(url, json=body, headers=auth.headers(who) if who else {})
        assert r.status_code == status, r.json
        if code:
            assert r.json["error"]["code"] == code
