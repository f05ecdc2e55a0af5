"""WeChat's side of the Official Account protocol, built on the wechatpy SDK: what WeChat's
servers send to our URL, and how a reply is opened and read."""
import base64
import os
import secrets
import time

import xmltodict
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

TOKEN = "hall-token-2026"
APPID = "wx1234567890abcdef"
ACCOUNT = "gh_0123456789ab"
OPENID = "oHall_citizen_000000000001"


def new_aes_key():
    return base64.b64encode(os.urandom(32)).decode().rstrip("=")


def sign(*parts):
    s = WeChatSigner()
    s.add_data(*parts)
    return s.signature


def text_message(content, msg_id=None, openid=OPENID, at=None):
    return ("<xml>"
            f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(at or time.time())}</CreateTime>"
            "<MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content>"
            f"<MsgId>{msg_id or secrets.randbelow(10**18)}</MsgId>"
            "</xml>")


def event_message(event, openid=OPENID, at=None, key=""):
    return ("<xml>"
            f"<ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>{int(at or time.time())}</CreateTime>"
            "<MsgType><![CDATA[event]]></MsgType>"
            f"<Event><![CDATA[{event}]]></Event>"
            f"<EventKey><![CDATA[{key}]]></EventKey>"
            "</xml>")


class WeChat:
    """Sends to /wechat as WeChat does: plaintext, or safe mode with `aes_key`."""

    def __init__(self, client, clock, token=TOKEN, aes_key=None, appid=APPID):
        self.client, self.clock, self.token, self.aes_key, self.appid = client, clock, token, aes_key, appid

    def query(self, timestamp=None, nonce=None):
        ts = str(timestamp if timestamp is not None else int(self.clock()))
        nonce = nonce or str(secrets.randbelow(10**10))
        return {"timestamp": ts, "nonce": nonce, "signature": sign(self.token, ts, nonce), "openid": OPENID}

    def verify(self, echostr="echo-1234567", **kw):
        return self.client.get("/wechat", query_string={**self.query(**kw), "echostr": echostr})

    def post(self, xml, query=None, aes_key=None, appid=None):
        q = dict(query or self.query())
        key = aes_key or self.aes_key
        if key is None:
            return self.client.post("/wechat", query_string=q, data=xml.encode(),
                                    headers={"Content-Type": "text/xml"})
        crypto = WeChatCrypto(self.token, key, appid or self.appid)
        sealed = xmltodict.parse(crypto.encrypt_message(xml, q["nonce"], q["timestamp"]))["xml"]
        body = (f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
                f"<Encrypt><![CDATA[{sealed['Encrypt']}]]></Encrypt></xml>")
        q.update(encrypt_type="aes", msg_signature=sealed["MsgSignature"])
        return self.client.post("/wechat", query_string=q, data=body.encode(), headers={"Content-Type": "text/xml"})

    def read(self, response, aes_key=None):
        """The reply as a dict (ToUserName, FromUserName, MsgType, Content …), opened if sealed."""
        assert response.status_code == 200, response.get_data(as_text=True)
        xml = response.get_data(as_text=True)
        key = aes_key or self.aes_key
        if key is not None:
            outer = xmltodict.parse(xml)["xml"]
            crypto = WeChatCrypto(self.token, key, self.appid)
            xml = crypto.decrypt_message(xml, outer["MsgSignature"], outer["TimeStamp"], outer["Nonce"])
        return xmltodict.parse(xml)["xml"]
