"""Notifications: the WeChat API client against a local fake WeChat server, the registry, and
the whole path from a call at a window to the message, which never holds the call up."""
import logging
import time

import pytest

from hall.public.notify import Notice, SendError, WeChatApi, WeChatSender
from hall.public.subscriptions import RedisRegistry, SQLiteRegistry, Subscription
from tests.conftest import Auth
from tests.helpers import free_port
from tests.public.conftest import issue
from tests.public.fake_wechat import FakeWeChat
from tests.public.wechat_side import APPID, OPENID, TOKEN, WeChat, text_message

SECRET = "s3cret-app-secret"


@pytest.fixture
def fake():
    server = FakeWeChat(appid=APPID, secret=SECRET)
    yield server
    server.stop()


@pytest.fixture
def api(fake):
    return WeChatApi(APPID, SECRET, base=fake.url, timeout=2, backoff_s=0.01)


NOTICE = Notice("called", number="A005", center_name="东湖社区党群服务中心（江海区）", queue_name="综合受理", window=3,
                window_name="3号窗口", url="https://hall.example.gov.cn/m/tickets/x")


# --- the API client ---

def test_token_is_fetched_once_and_reused(fake, api):
    sender = WeChatSender(api, "subscribe", {"called": "tmpl-called"})
    for _ in range(3):
        assert sender.send(OPENID, NOTICE)["errcode"] == 0
    assert fake.token_requests == 1 and len(fake.sent) == 3
    path, body = fake.sent[0]
    assert path == "/cgi-bin/message/subscribe/bizsend"
    assert body["touser"] == OPENID and body["template_id"] == "tmpl-called"
    assert body["data"]["character_string1"] == {"value": "A005"}
    assert body["data"]["thing3"] == {"value": "请到 3 号窗口"}
    assert len(body["data"]["thing2"]["value"]) <= 20       # WeChat's `thing` limit
    assert body["page"] == "https://hall.example.gov.cn/m/tickets/x"


@pytest.mark.parametrize("kind, path", [("miniprogram", "/cgi-bin/message/subscribe/send"),
                                        ("template", "/cgi-bin/message/template/send")])
def test_other_message_kinds(fake, api, kind, path):
    WeChatSender(api, kind, {"called": "t1"}).send(OPENID, NOTICE)
    sent_path, body = fake.sent[0]
    assert sent_path == path
    if kind == "template":
        assert body["url"].endswith("/m/tickets/x") and body["data"]["keyword3"] == {"value": "请到 3 号窗口"}


@pytest.mark.parametrize("how, code", [("expire", 42001), ("revoke", 40001)])
def test_an_expired_or_revoked_token_is_refreshed_and_the_send_retried(fake, api, how, code):
    api.post("/cgi-bin/message/subscribe/send", {"touser": OPENID, "template_id": "t", "data": {}})
    fake.expire_tokens() if how == "expire" else fake.revoke_tokens()
    assert api.post("/cgi-bin/message/subscribe/send",
                    {"touser": OPENID, "template_id": "t", "data": {}})["errcode"] == 0
    assert fake.token_requests == 2 and fake.send_requests == 3 and len(fake.sent) == 2


def test_the_token_is_refreshed_before_it_expires(fake):
    now = [1000.0]
    api = WeChatApi(APPID, SECRET, base=fake.url, clock=lambda: now[0])
    api.token()
    now[0] += 7200 - 301          # WeChat's 7200 s less our 300 s margin
    api.token()
    assert fake.token_requests == 1
    now[0] += 2
    api.token()
    assert fake.token_requests == 2


def test_busy_and_http_errors_are_retried(fake, api):
    fake.fail_next(1, -1)
    fake.http_error_next(1)
    got = api.post("/cgi-bin/message/subscribe/send", {"touser": OPENID, "template_id": "t", "data": {}})
    assert got["errcode"] == 0
    assert fake.send_requests == 3


def test_a_refusal_is_not_retried(fake, api):
    fake.fail_next(1, 43101)
    with pytest.raises(SendError, match="43101"):
        api.post("/cgi-bin/message/subscribe/send", {"touser": OPENID, "template_id": "t", "data": {}})
    assert fake.send_requests == 1


def test_a_bad_secret_raises(fake):
    with pytest.raises(SendError, match="40125"):
        WeChatApi(APPID, "wrong", base=fake.url, backoff_s=0.01).post("/cgi-bin/message/subscribe/send", {})


def test_a_dead_server_raises_after_the_retries():
    api = WeChatApi(APPID, SECRET, base=f"http://127.0.0.1:{free_port()}", timeout=0.5, backoff_s=0.01)
    with pytest.raises(SendError, match="Connection refused|URLError"):
        api.post("/cgi-bin/message/subscribe/send", {})


# --- the registry: one notice per subscription, whichever process gets there first ---

def _claims_once(a, b):
    sub = Subscription("east.abcdefghijklmnop", "wechat", OPENID)
    assert a.add(sub, 0) is True and b.add(sub, 0) is False
    assert b.for_center("east") == [sub] and a.for_center("west") == []
    assert [a.claim(sub, "near", 0), b.claim(sub, "near", 0), a.claim(sub, "called:7", 0)] == [True, False, True]
    assert a.count(sub.ticket, "wechat") == 1
    b.forget("wechat", OPENID)
    assert a.for_center("east") == []


def test_sqlite_registry_shared_by_two_processes(tmp_path):
    a, b = SQLiteRegistry(str(tmp_path / "notify.db")), SQLiteRegistry(str(tmp_path / "notify.db"))
    try:
        _claims_once(a, b)
    finally:
        a.close()
        b.close()


def test_redis_registry_shared_by_two_processes(redis_url):
    import redis
    _claims_once(RedisRegistry(redis.Redis.from_url(redis_url)), RedisRegistry(redis.Redis.from_url(redis_url)))


# --- end to end: WeChat message → tracking → calls → notices ---

def _app(make_app, fake, **extra):
    return make_app(**{"WECHAT_TOKEN": TOKEN, "WECHAT_APPID": APPID, "WECHAT_SECRET": SECRET, "WECHAT_API": fake.url,
                       "WECHAT_TEMPLATE_NEAR": "tmpl-near", "WECHAT_TEMPLATE_CALLED": "tmpl-called",
                       "NOTIFY_AHEAD": 2, "PUBLIC_URL": "https://hall.example.gov.cn", **extra})


def _next(client, staff):
    """下一位 at window 1: the citizen at the window starts being served, the next one is called."""
    client.post("/api/v1/centers/east/windows/1/start", headers=staff)
    r = client.post("/api/v1/centers/east/windows/1/call-next", headers=staff)
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.json


def test_near_and_called_notices_from_a_wechat_follower(make_app, fake, clock):
    app = _app(make_app, fake)
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    staff = auth.user("staff-east", "staff", "east")
    tickets = [issue(client, auth.headers("kiosk-east")) for _ in range(5)]
    mine = tickets[4]
    wx = WeChat(app.test_client(), clock)
    reply = wx.read(wx.post(text_message(mine["id"], at=clock())))["Content"]
    assert "前面还有 4 人" in reply and "叫号前我们会通过微信提醒您" in reply
    notifier = app.extensions["notify"]
    client.post("/api/v1/centers/east/windows/1/open", headers=staff)
    _next(client, staff)
    assert notifier.drain()
    assert fake.sent == []                               # 3 ahead: not yet
    _next(client, staff)                                 # now 2 ahead
    sent = fake.wait_sent(1)
    assert len(sent) == 1 and sent[0][1]["template_id"] == "tmpl-near" and sent[0][1]["touser"] == OPENID
    assert sent[0][1]["data"]["thing3"]["value"].startswith("前面还有 2 人")
    _next(client, staff)                                 # 1 ahead: no second "near"
    _next(client, staff)
    assert notifier.drain() and len(fake.sent) == 1
    assert _next(client, staff)["id"] == mine["id"]
    sent = fake.wait_sent(2)
    assert sent[1][1]["template_id"] == "tmpl-called" and sent[1][1]["data"]["thing3"] == {"value": "请到 1 号窗口"}
    assert sent[1][1]["page"] == f"https://hall.example.gov.cn/m/tickets/{mine['id']}"
    client.post("/api/v1/centers/east/windows/1/recall", headers=staff)      # called again: told again
    assert len(fake.wait_sent(3)) == 3
    assert notifier.drain() and len(fake.sent) == 3


def test_a_slow_wechat_never_holds_up_a_call(make_app, fake, clock):
    fake.delay = 2.0        # well under the client's 3 s timeout, and far longer than a call takes
    app = _app(make_app, fake, NOTIFY_AHEAD=0)
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    staff = auth.user("staff-east", "staff", "east")
    t = issue(client, auth.headers("kiosk-east"))
    assert client.post(f"/m/tickets/{t['id']}/subscribe", json={"openid": OPENID}).status_code == 201
    client.post("/api/v1/centers/east/windows/1/open", headers=staff)
    start = time.monotonic()
    r = client.post("/api/v1/centers/east/windows/1/call-next", headers=staff)
    assert r.status_code == 200 and time.monotonic() - start < fake.delay / 2
    sent = fake.wait_sent(2, timeout=20)
    assert [b["template_id"] for _, b in sent] == ["tmpl-near", "tmpl-called"]


def test_failures_are_logged_and_do_not_stop_the_worker(make_app, fake, clock, caplog):
    app = _app(make_app, fake, NOTIFY_AHEAD=5)
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    a, b = issue(client, auth.headers("kiosk-east")), issue(client, auth.headers("kiosk-east"))
    fake.fail_next(1, 43101)                 # the first follower refused the template
    with caplog.at_level(logging.WARNING, logger="hall.public.notify"):
        client.post(f"/m/tickets/{a['id']}/subscribe", json={"openid": "oFollowerNumber00000001"})
        assert app.extensions["notify"].drain()
        client.post(f"/m/tickets/{b['id']}/subscribe", json={"openid": "oFollowerNumber00000002"})
        sent = fake.wait_sent(1)
    assert [x[1]["touser"] for x in sent] == ["oFollowerNumber00000002"]
    assert any("43101" in r.getMessage() for r in caplog.records)


def test_subscribe_endpoint_checks(make_app, fake, tmp_path):
    app = _app(make_app, fake, SMS_OUTBOX=str(tmp_path / "sms.jsonl"))
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    t = issue(client, auth.headers("kiosk-east"))
    url = f"/m/tickets/{t['id']}/subscribe"
    assert client.post(url, json={}).status_code == 400
    assert client.post(url, json={"openid": "x"}).status_code == 400
    assert client.post(url, json={"phone": "12345"}).status_code == 400
    assert client.post(url, json={"openid": OPENID, "phone": "13812345678"}).status_code == 400
    assert client.post(url, data=b"{nope", content_type="application/json").status_code == 400
    assert client.post("/m/tickets/east.nonexistent00000/subscribe", json={"openid": OPENID}).status_code == 404
    assert client.post(url, json={"phone": "13812345678"}).status_code == 201
    r = client.post(url, json={"phone": "13912345678"})        # one SMS number per ticket
    assert r.status_code == 409 and r.json["error"]["code"] == "too_many_subscriptions"
    assert client.post(url, json={"phone": "13812345678"}).status_code == 201   # the same one again is fine
    client.delete(f"/api/v1/tickets/{t['id']}")
    assert client.post(url, json={"openid": OPENID}).status_code == 409


def test_subscribe_without_channels_is_503(make_app):
    app = make_app()
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    t = issue(client, auth.headers("kiosk-east"))
    r = client.post(f"/m/tickets/{t['id']}/subscribe", json={"openid": OPENID})
    assert r.status_code == 503 and r.json["error"]["code"] == "channel_unavailable"
    assert "notify" not in app.extensions
