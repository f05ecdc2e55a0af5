"""Return visits (回访) of a 差评 over the managers' API: after the rectification, once, with the
citizen's answer; shown in the follow-up list and counted in the day's 回访率."""
from tests.manage.test_api import act, issue


def bad_rating(client, auth):
    t = issue(client, auth)
    act(client, auth, "open", window=1)
    act(client, auth, "call-next", window=1)
    act(client, auth, "finish", window=1)
    r = client.post(f"/api/v1/tickets/{t['id']}/evaluation",
                    json={"score": 2, "comment": "材料没有一次说清，电话13812345678", "options": ["not_told_once"]})
    assert r.status_code == 201
    return f"fu-{t['id']}"


def step(client, auth, action, **body):
    return client.post(f"/api/v1/centers/east/followups/{action}", json=body, headers=auth.headers("manager-east"))


def test_a_return_visit_is_recorded_after_the_rectification(client, auth, clock):
    fu = bad_rating(client, auth)
    r = step(client, auth, "revisit", followup=fu, note="回访", result="satisfied")
    assert r.status_code == 409 and r.json["error"]["code"] == "followup_open"
    assert step(client, auth, "verify", followup=fu, note="属实", finding="confirmed").status_code == 200
    clock.advance(3600)
    r = step(client, auth, "rectify", followup=fu, note="已完善一次性告知单")
    assert r.status_code == 200 and r.json["rectified"] == "2026-11-26T11:00:00+08:00" and r.json["revisit_due"]
    clock.advance(1800)
    r = step(client, auth, "revisit", followup=fu, note="电话回访，群众满意", result="satisfied")
    assert r.status_code == 200, r.get_data(as_text=True)
    f = r.json
    assert f["revisit"]["result"] == "satisfied" and f["revisit"]["by"] == "user:manager-east"
    assert f["revisited"] == "2026-11-26T11:30:00+08:00" and not f["revisit_due"]
    assert f["history"][-1]["step"] == "revisited"
    r = step(client, auth, "revisit", followup=fu, note="再次回访", result="unsatisfied")
    assert r.status_code == 409 and r.json["error"]["code"] == "already_revisited"
    # the list shows it, the comment's phone number masked
    [listed] = client.get("/api/v1/centers/east/followups", headers=auth.headers("manager-east")).json["followups"]
    assert listed["revisit"]["result"] == "satisfied" and "13812345678" not in listed["comment"]
    assert "138****5678" in listed["comment"]
    day = client.get("/api/v1/centers/east/reports?period=day&date=2026-11-26",
                     headers=auth.headers("manager-east")).json["totals"]
    assert (day["followups"], day["rectified_on_time"], day["revisited"], day["revisit_rate"],
            day["rectification_rate"]) == (1, 1, 1, 1.0, 1.0)
