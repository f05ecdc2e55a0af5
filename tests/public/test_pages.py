"""The phone pages as served (their behaviour in a real browser is in test_browser.py)."""
import re

from tests.conftest import Auth
from tests.public.conftest import issue


def test_board_page_is_chinese_and_self_contained(make_app):
    client = make_app().test_client()
    r = client.get("/m/")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and '<html lang="zh-CN">' in html and "各中心实时排队" in html
    assert "http://" not in html and "https://" not in html        # nothing from the internet
    for asset in ("/m/static/m.css", "/m/static/m.js", "/m/static/rank.js", "/m/static/board.js"):
        assert asset in html
        assert client.get(asset).status_code == 200
    assert '<html lang="en">' in client.get("/m/?lang=en").get_data(as_text=True)


def test_the_css_pins_a_cjk_font_stack(make_app):
    css = make_app().test_client().get("/m/static/m.css").get_data(as_text=True)
    for font in ("PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei"):
        assert font in css


def test_ticket_page(make_app):
    app = make_app()
    client = app.test_client()
    auth = Auth(app, client)
    auth.device("kiosk-east", "kiosk", "east")
    t = issue(client, auth.headers("kiosk-east"))
    r = client.get(f"/m/tickets/{t['id']}")
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and t["id"] in html and '"center": "east"' in html
    scripts = re.findall(r'<script src="([^"]+)"', html)
    socketio = [s for s in scripts if s.endswith("socket.io.min.js")]
    assert socketio and client.get(socketio[0]).status_code == 200
    assert all(client.get(s).status_code == 200 for s in scripts)
    assert "http://" not in html and "https://" not in html


def test_unknown_ticket_page_is_a_chinese_404(make_app):
    r = make_app().test_client().get("/m/tickets/east.doesnotexist0000")
    assert r.status_code == 404 and "没有找到这张票" in r.get_data(as_text=True)
