"""The Official Account endpoint, with WeChat's side built by the wechatpy SDK."""
import pytest

from tests.conftest import Auth
from tests.public.conftest import issue
from tests.public.wechat_side import ACCOUNT, APPID, OPENID, TOKEN, WeChat, event_message, new_aes_key, \
    text_message


@pytest.fixture
def plain(make_app, clock):
    app = make_app(WECHAT_TOKEN=TOKEN, WECHAT_APPID=APPID, PUBLIC_URL="https://hall.example.gov.cn")
    return app, WeChat(app.test_client(), clock)


@pytest.fixture
def aes_key():
    return new_aes_key()


@pytest.fixture
def safe(make_app, clock, aes_key):
    app = make_app(WECHAT_TOKEN=TOKEN, WECHAT_APPID=APPID, WECHAT_AES_KEY=aes_key,
                   PUBLIC_URL="https://hall.example.gov.cn")
    return app, WeChat(app.test_client(), clock, aes_key=aes_key)


# --- URL verification ---

def test_url_verification_echoes(plain):
    _, wx = plain
    r = wx.verify(echostr="5837397520138245")
    assert r.status_code == 200 and r.get_data(as_text=True) == "5837397520138245"


def test_verification_with_a_bad_signature_is_403(plain):
    app, wx = plain
    q = {**wx.query(), "echostr": "x"}
    q["signature"] = "0" * 40
    r = wx.client.get("/wechat", query_string=q)
    assert r.status_code == 403 and r.json["error"]["code"] == "bad_signature"
    assert WeChat(wx.client, wx.clock, token="another-token").verify().status_code == 403


def test_verification_with_a_stale_timestamp_is_403(plain, clock):
    _, wx = plain
    assert wx.verify(timestamp=int(clock()) - 301).status_code == 403
    assert wx.verify(timestamp=int(clock()) - 299).status_code == 200


def test_not_configured_is_404(make_app):
    assert make_app().test_client().get("/wechat").status_code == 404


# --- plaintext mode ---

def test_plaintext_board(plain, clock):
    app, wx = plain
    reply = wx.read(wx.post(text_message("排队", at=clock())))
    assert reply["ToUserName"] == OPENID and reply["FromUserName"] == ACCOUNT and reply["MsgType"] == "text"
    assert "东区政务服务中心（办理中）" in reply["Content"]
    assert "https://hall.example.gov.cn/m/" in reply["Content"]
    assert len(reply["Content"].encode()) <= 2048


def test_plaintext_bad_signature_is_403(plain):
    _, wx = plain
    q = wx.query()
    q["signature"] = "f" * 40
    r = wx.post(text_message("排队"), query=q)
    assert r.status_code == 403


def test_stale_message_is_403(plain, clock):
    _, wx = plain
    r = wx.post(text_message("排队"), query=wx.query(timestamp=int(clock()) + 301))
    assert r.status_code == 403 and r.json["error"]["code"] == "stale"


def test_replayed_nonce_with_another_body_is_403(plain, clock):
    """Plaintext signatures do not cover the body: a captured query must not carry a new message."""
    _, wx = plain
    q = wx.query()
    first = wx.read(wx.post(text_message("排队", msg_id=1), query=q))
    r = wx.post(text_message("预约", msg_id=2), query=q)
    assert r.status_code == 403 and r.json["error"]["code"] == "replayed"
    # the very same request again (a resend) is the same message: the same answer
    assert wx.read(wx.post(text_message("排队", msg_id=1), query=q))["Content"] == first["Content"]


def test_a_retried_message_is_answered_once(plain, clock):
    """WeChat retries with a new nonce and the same MsgId: the reply is the first one, even though
    the board has changed in between."""
    app, wx = plain
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    msg = text_message("排队", msg_id=6000000000000000001, at=clock())
    first = wx.read(wx.post(msg))
    for _ in range(3):
        issue(client, auth.headers("kiosk-east"))
    clock.advance(5)
    retry = wx.read(wx.post(msg))                  # a fresh query: new timestamp and nonce
    assert retry["Content"] == first["Content"]
    fresh = wx.read(wx.post(text_message("排队", msg_id=6000000000000000002, at=clock())))
    assert fresh["Content"] != first["Content"] and "等候 3 人" in fresh["Content"]


def test_event_retry_by_sender_and_time(plain, clock):
    _, wx = plain
    ev = event_message("subscribe", at=clock())
    first = wx.read(wx.post(ev))
    assert "感谢关注" in first["Content"]
    assert wx.read(wx.post(ev))["Content"] == first["Content"]


def test_xml_with_entities_is_refused(plain):
    _, wx = plain
    bomb = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            "<xml><Content>&b;</Content></xml>")
    r = wx.post(bomb)
    assert r.status_code == 400
    assert wx.post("not xml at all").status_code == 400


# --- commands ---

def test_commands(plain, clock):
    app, wx = plain
    say = lambda words: wx.read(wx.post(text_message(words, at=clock())))["Content"]
    assert "https://hall.example.gov.cn/m/book" in say("预约")
    assert "回复" in say("你好") and "「排队」" in say("随便说点什么")
    assert "实时排队" in say("等候")


def test_ticket_by_id_and_by_number(plain, clock):
    app, wx = plain
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    auth.device("kiosk-west", "kiosk", "west")
    auth.user("staff-east", "staff", "east")
    first = issue(client, auth.headers("kiosk-east"))
    second = issue(client, auth.headers("kiosk-east"))
    issue(client, auth.headers("kiosk-west"), center="west")
    say = lambda words: wx.read(wx.post(text_message(words, at=clock())))["Content"]

    by_id = say(second["id"])
    assert "A002" in by_id and "前面还有 1 人" in by_id
    assert f"https://hall.example.gov.cn/m/tickets/{second['id']}" in by_id
    # a number alone is ambiguous in a district: both centres have an A001 today
    assert "请在号码后加上中心名称" in say("A001")
    by_number = say("a001 east")
    assert "A001" in by_number and "前面没有人了" in by_number
    assert "/m/tickets/" not in by_number          # a number is not the ticket's capability
    assert "今天没有 A009" in say("A009 west")
    h = auth.headers("staff-east")
    client.post("/api/v1/centers/east/windows/3/open", headers=h)
    client.post("/api/v1/centers/east/windows/1/open", headers=h)
    client.post("/api/v1/centers/east/windows/1/call", json={"ticket": first["id"]}, headers=h)
    assert "已叫号：请到 1 号窗口" in say("east A001")
    assert "没有找到这张票" in say("east.AAAAAAAAAAAAAAAA")


def test_voice_and_menu_click_are_commands(plain, clock):
    _, wx = plain
    voice = ("<xml>"
             f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
             f"<CreateTime>{int(clock())}</CreateTime><MsgType><![CDATA[voice]]></MsgType>"
             "<MediaId><![CDATA[m]]></MediaId><Format><![CDATA[amr]]></Format>"
             "<Recognition><![CDATA[预约。]]></Recognition><MsgId>77</MsgId></xml>")
    assert "/m/book" in wx.read(wx.post(voice))["Content"]
    assert "实时排队" in wx.read(wx.post(event_message("CLICK", key="排队", at=clock())))["Content"]
    r = wx.post(event_message("unsubscribe", at=clock() + 1))
    assert r.status_code == 200 and r.get_data(as_text=True) == "success"


# --- safe mode ---

def test_safe_mode_roundtrip(safe, clock):
    _, wx = safe
    r = wx.post(text_message("排队", at=clock()))
    assert "<Encrypt>" in r.get_data(as_text=True) and "排队" not in r.get_data(as_text=True)
    reply = wx.read(r)
    assert reply["ToUserName"] == OPENID and "东区政务服务中心" in reply["Content"]


def test_safe_mode_bad_msg_signature_is_403(safe, clock):
    _, wx = safe
    q = wx.query()
    r = wx.client.post("/wechat", query_string={**q, "encrypt_type": "aes", "msg_signature": "0" * 40},
                       data=b"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[AAAA]]></Encrypt></xml>")
    assert r.status_code == 403 and r.json["error"]["code"] == "bad_signature"


def test_safe_mode_other_appid_is_refused(safe, clock):
    _, wx = safe
    r = wx.post(text_message("排队", at=clock()), appid="wxanotheraccount00")
    assert r.status_code == 403 and r.json["error"]["code"] == "undecryptable"


def test_safe_mode_other_key_is_refused(safe, clock):
    _, wx = safe
    assert wx.post(text_message("排队", at=clock()), aes_key=new_aes_key()).status_code == 403


def test_safe_mode_retry_answered_once(safe, clock):
    app, wx = safe
    msg = text_message("排队", msg_id=424242, at=clock())
    first = wx.read(wx.post(msg))
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    issue(client, auth.headers("kiosk-east"))
    clock.advance(5)
    assert wx.read(wx.post(msg))["Content"] == first["Content"]


def test_previous_key_is_accepted_until_it_expires(make_app, clock):
    old, new = new_aes_key(), new_aes_key()
    app = make_app(WECHAT_TOKEN=TOKEN, WECHAT_APPID=APPID, WECHAT_AES_KEY=new, WECHAT_AES_KEY_PREVIOUS=old,
                   WECHAT_AES_KEY_PREVIOUS_UNTIL=str(clock() + 3600))
    wx = WeChat(app.test_client(), clock, aes_key=new)
    assert "实时排队" in wx.read(wx.post(text_message("排队", at=clock())))["Content"]
    # sealed with the old key: opened, and answered with the key it came with
    r = wx.post(text_message("排队", at=clock()), aes_key=old)
    assert "实时排队" in wx.read(r, aes_key=old)["Content"]
    clock.advance(3601)
    r = wx.post(text_message("排队", at=clock()), aes_key=old)
    assert r.status_code == 403
    assert wx.post(text_message("排队", at=clock())).status_code == 200


def test_previous_key_until_as_iso(make_app, clock):
    from hall.public.wechat import Account
    acct = Account.from_config({"WECHAT_TOKEN": "t", "WECHAT_APPID": "wx1", "WECHAT_AES_KEY": new_aes_key(),
                                "WECHAT_AES_KEY_PREVIOUS": new_aes_key(),
                                "WECHAT_AES_KEY_PREVIOUS_UNTIL": "2026-11-27T10:00:00+08:00"}, clock())
    assert len(acct.usable_keys(clock())) == 2
    assert len(acct.usable_keys(clock() + 86400)) == 1


def test_a_bad_aes_key_fails_at_start(make_app):
    with pytest.raises(ValueError):
        make_app(WECHAT_TOKEN=TOKEN, WECHAT_APPID=APPID, WECHAT_AES_KEY="too-short")


# --- the pieces under the endpoint ---

def test_a_retry_during_the_first_answer_waits_for_it():
    """WeChat's retry can arrive while the first request is still being answered: it gets the
    first answer, and the answer is made once."""
    import threading
    from hall.public.memo import MemoryMemo
    from hall.public.wechat import _answer_once
    memo, release, made, got = MemoryMemo(), threading.Event(), [], []

    def slow():
        made.append(1)
        release.wait(5)
        return "<xml>first</xml>"
    first = threading.Thread(target=lambda: got.append(_answer_once(memo, "msg:1", slow)))
    first.start()
    while not made:
        threading.Event().wait(0.005)
    retry = threading.Thread(target=lambda: got.append(_answer_once(memo, "msg:1", lambda: made.append(2) or "x")))
    retry.start()
    release.set()
    first.join(5)
    retry.join(5)
    assert got == ["<xml>first</xml>", "<xml>first</xml>"] and made == [1]


def test_redis_memo_is_shared(redis_url):
    import redis
    from hall.public.memo import RedisMemo
    a, b = RedisMemo(redis.Redis.from_url(redis_url)), RedisMemo(redis.Redis.from_url(redis_url))
    assert a.add("nonce:1", "body-a", 10) == "body-a"
    assert b.add("nonce:1", "body-b", 10) == "body-a"       # the other process sees the first body
    b.set("reply:1", "<xml/>", 10)
    assert a.get("reply:1") == "<xml/>" and a.get("nothing") is None


def test_the_board_reply_is_quick_on_the_demo_district(make_app, clock):
    """WeChat waits 5 s for a passive reply; the biggest one (the board) takes a small part of it."""
    import os
    import time
    import yaml
    demo = os.path.join(os.path.dirname(__file__), "..", "..", "hall", "demo", "district.yaml")
    with open(demo, encoding="utf-8") as f:
        centres = yaml.safe_load(f)["centers"]
    app = make_app(centers=centres, WECHAT_TOKEN=TOKEN, WECHAT_APPID=APPID)
    wx = WeChat(app.test_client(), clock)
    start = time.monotonic()
    reply = wx.read(wx.post(text_message("排队", at=clock())))["Content"]
    assert time.monotonic() - start < 2.5
    assert "环市街政务服务中心" in reply and len(reply.encode()) <= 2048     # WeChat's limit for a text reply


def location_message(lat, lon, at):
    return ("<xml>"
            f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName><FromUserName><![CDATA[{OPENID}]]></FromUserName>"
            f"<CreateTime>{int(at)}</CreateTime><MsgType><![CDATA[location]]></MsgType>"
            f"<Location_X>{lat}</Location_X><Location_Y>{lon}</Location_Y><Scale>15</Scale>"
            "<Label><![CDATA[某地]]></Label>"
            f"<MsgId>{int(at * 1000)}</MsgId></xml>")


@pytest.mark.parametrize("here, first, second", [((23.0, 113.0), "东区", "西区"), ((23.0, 110.0), "西区", "东区")])
def test_a_location_message_lists_the_nearest_centres_first(make_app, clock, here, first, second):
    from hall.public.wechat_text import help_text
    from tests.helpers import small_center
    app = make_app(centers=[small_center("east", location=[23.0, 113.1]),
                            small_center("west", name="西区政务服务中心", location=[23.0, 110.1])],
                   WECHAT_TOKEN=TOKEN, WECHAT_APPID=APPID, PUBLIC_URL="https://hall.example.gov.cn")
    wx = WeChat(app.test_client(), clock)
    content = wx.read(wx.post(location_message(*here, at=clock())))["Content"]
    assert content.index(first + "政务服务中心") < content.index(second + "政务服务中心")
    # a location that is no place gets the help text, not an error
    clock.advance(1)
    bad = wx.read(wx.post(location_message("abc", 113, at=clock())))["Content"]
    with app.app_context():
        assert bad == help_text("https://hall.example.gov.cn")
