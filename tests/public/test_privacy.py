"""No personal data in any public answer; masks for when there is some to show."""
import json
import re

import pytest

from hall.public.privacy import is_phone, mask_name, mask_phone
from tests.conftest import Auth


@pytest.mark.parametrize("name, masked", [("张三", "张*"), ("李小龙", "李**"), ("欧阳娜娜", "欧***"),
                                          ("王", "*"), ("  赵六 ", "赵*"), ("", ""), (None, "")])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("phone, masked", [("13812345678", "138****5678"), ("+8613812345678", "138****5678"),
                                           ("138 1234 5678", "138****5678"), ("0750-3456789", "*******6789"),
                                           ("123", "***"), ("", "")])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


def test_is_phone():
    assert is_phone("13812345678") and is_phone("+86 138-1234-5678")
    assert not is_phone("23812345678") and not is_phone("1381234567") and not is_phone("abc")


PHONE = "13812345678"
OPENID = "oAbCdEfGhIjKlMnOpQrStUvWxYz1"


def test_no_personal_data_in_any_public_answer(make_app, tmp_path):
    """A ticket called at a staffed window, tracked by phone (SMS) and by WeChat: the public reads
    show neither the phone, the openid, nor a citizen's name; staff appear only as the
    name and 工号 that the window displays by rule (亮证上岗)."""
    app = make_app(SMS_OUTBOX=str(tmp_path / "sms.jsonl"), WECHAT_APPID="wx123", WECHAT_SECRET="s",
                   WECHAT_API="http://127.0.0.1:9")
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    auth.user("staff-east", "staff", "east", name="张敏", staff_no="01007")
    waiting = client.post("/api/v1/centers/east/tickets", json={"queue": "general"},
                          headers=auth.headers("kiosk-east")).json
    called = client.post("/api/v1/centers/east/tickets", json={"queue": "general"},
                         headers=auth.headers("kiosk-east")).json
    for tid, body in ((waiting["id"], {"phone": PHONE}), (waiting["id"], {"openid": OPENID})):
        r = client.post(f"/m/tickets/{tid}/subscribe", json=body)
        assert r.status_code == 201, r.json
        assert PHONE not in r.get_data(as_text=True)
        assert OPENID not in r.get_data(as_text=True)
    client.post("/api/v1/centers/east/windows/1/open", headers=auth.headers("staff-east"))
    client.post("/api/v1/centers/east/windows/1/call", json={"ticket": called["id"]},
                headers=auth.headers("staff-east"))
    app.extensions["notify"].drain()
    pages = ["/api/v1/centers", "/api/v1/centers/east", "/api/v1/centers/east/items",
             f"/api/v1/tickets/{waiting['id']}", f"/api/v1/tickets/{called['id']}",
             "/m/", f"/m/tickets/{waiting['id']}"]
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200, path
        text = r.get_data(as_text=True)
        assert PHONE not in text and "5678" not in text and OPENID not in text, path
        assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), path
        if r.is_json:
            keys = _keys(r.json)
            assert not keys & {"phone", "mobile", "openid", "id_card", "citizen", "password", "token"}, path
    ticket = client.get(f"/api/v1/tickets/{waiting['id']}").json
    assert "name" not in ticket      # a ticket names its centre and queue, never its holder
    window = next(w for w in client.get("/api/v1/centers/east").json["windows"] if w["number"] == 1)
    assert window["staff"] == {"name": "张敏", "staff_no": "01007"}


def _keys(value):
    if isinstance(value, dict):
        return set(value) | set().union(*(_keys(v) for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_keys(v) for v in value)) if value else set()
    return set()


def test_the_sms_outbox_is_the_only_place_with_the_number(make_app, tmp_path, clock):
    outbox = tmp_path / "sms.jsonl"
    app = make_app(SMS_OUTBOX=str(outbox), NOTIFY_AHEAD=1)
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    t = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=auth.headers("kiosk-east")).json
    r = client.post(f"/m/tickets/{t['id']}/subscribe", json={"phone": PHONE})
    assert r.json == {"ticket": t["id"], "channel": "sms", "to": "138****5678"}
    assert app.extensions["notify"].drain()
    lines = [json.loads(x) for x in outbox.read_text().splitlines()]
    assert [x["to"] for x in lines] == [PHONE]
    assert "A001" in lines[0]["text"] and "前面还有 0 人" in lines[0]["text"]
