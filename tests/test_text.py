"""The one text catalogue (hall/static/text/*.json): complete in both languages, the only table of
words the pages and the Python code use, and the source of the refusals' messages."""
import re
from pathlib import Path

import pytest

from hall import text
from hall.core.errors import Refused

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff]")
NAMESPACES = set(text.catalogue("zh-CN"))
FULL_KEY = re.compile(r"""["']((?:""" + "|".join(sorted(NAMESPACES)) + r""")\.\w+)["']""")
TEMPLATE_KEY = re.compile(r"""(?:\bt\(|data-text(?:-placeholder)?=)\s*["'](\w+\.\w+)["']""")
SHORT_KEY = re.compile(r"""\b(?:t|list|raw)\(\s*"(\w+)"[,)]""")

# every page script, and the namespaces its short keys (t("take")) are looked up in
SCRIPTS = {
    "kiosk/static/js/*.js": ["kiosk"],
    "kiosk/static/idcard.js": ["kiosk"],
    "displays/static/main.js": ["display"],
    "displays/static/window.js": ["display"],
    "hall/public/static/m.js": ["phone"],
    "hall/public/static/board.js": ["phone"],
    "hall/public/static/ticket.js": ["phone"],
    "hall/public/static/rank.js": [],
    "hall/public/static/book-text.js": ["book", "phone"],
    "hall/public/static/book.js": ["book", "phone"],
    "hall/public/static/booking.js": ["book", "phone"],
    "hall/staff/static/console.js": ["staff"],
    "hall/manage/static/*.js": ["manage"],
    "hall/static/*.js": [],
}
TEMPLATES = ["kiosk/templates/**/*.html", "displays/templates/**/*.html", "hall/*/templates/**/*.html"]
# the announcement queue's own words are its owner's (its spoken digits, the default sentence)
NOT_PAGES = {"displays/static/voice.js", "displays/static/hall-live.js"}


def scripts():
    for pattern, namespaces in SCRIPTS.items():
        for path in sorted(ROOT.glob(pattern)):
            yield path, namespaces


def without_comments(js):
    js = re.sub(r"/\*.*?\*/", "", js, flags=re.S)
    return re.sub(r"(^|[^:\"'\\])//[^\n]*", r"\1", js)


def page_files():
    for d in ("kiosk/static", "displays/static", "hall/static", "hall/public/static", "hall/staff/static",
              "hall/manage/static"):
        for path in sorted((ROOT / d).rglob("*.js")):
            if "vendor" not in path.parts and str(path.relative_to(ROOT)) not in NOT_PAGES:
                yield path


def test_every_script_of_the_pages_is_listed_here():
    listed = {p for p, _ in scripts()}
    assert set(page_files()) <= listed


@pytest.mark.parametrize("ns", sorted(NAMESPACES))
def test_both_languages_have_every_key_with_the_same_shape(ns):
    zh, en = text.catalogue("zh-CN")[ns], text.catalogue("en")[ns]
    assert set(zh) == set(en)
    for key in zh:
        assert type(zh[key]) is type(en[key]), f"{ns}.{key}"
        if isinstance(zh[key], list):
            assert len(zh[key]) == len(en[key]) and all(zh[key]) and all(en[key]), f"{ns}.{key}"
        if isinstance(zh[key], dict):
            assert set(zh[key]) == set(en[key]), f"{ns}.{key}"


def test_every_key_the_pages_use_is_in_the_catalogue():
    used = []
    for path, namespaces in scripts():
        js = without_comments(path.read_text("utf-8"))
        used += [(path, k) for k in FULL_KEY.findall(js)]
        keys = SHORT_KEY.findall(js) + (["no_window", "no_wait", "about_min"] if ".waitText(" in js else [])
        for key in keys:
            if namespaces:
                assert any(key in text.catalogue("zh-CN")[ns] for ns in namespaces), f"{path}: {key}"
    for pattern in TEMPLATES:
        for path in ROOT.glob(pattern):
            used += [(path, k) for k in TEMPLATE_KEY.findall(path.read_text("utf-8"))]
    for path in (ROOT / "hall").rglob("*.py"):
        used += [(path, k) for k in re.findall(r"""\btext\(\s*["'](\w+\.\w+)["']""", path.read_text("utf-8"))]
    assert len(used) > 100
    for path, key in used:
        for lang in text.LANGS:
            ns, _, k = key.partition(".")
            assert k in text.catalogue(lang)[ns], f"{path.relative_to(ROOT)}: {key} ({lang})"


def test_no_page_carries_its_own_table_of_words():
    for path in page_files():
        js = without_comments(path.read_text("utf-8"))
        assert not CJK.search(js), f"{path.relative_to(ROOT)} has words of its own: {CJK.search(js)}"
        if path == ROOT / "hall/static/text.js":         # the one reader of the catalogue
            continue
        assert not re.search(r"\b(zh|en)\s*:\s*\{", js), f"{path.relative_to(ROOT)} has a language table"
        keys = re.findall(r"""Storage\.(?:get|set)Item\(\s*["']([^"']+)""", js)
        assert not [k for k in keys if "lang" in k], f"{path.relative_to(ROOT)} keeps a language of its own"
    for pattern in TEMPLATES:
        for path in ROOT.glob(pattern):
            html = re.sub(r"<!--.*?-->", "", path.read_text("utf-8"), flags=re.S)
            assert not CJK.search(html), f"{path.relative_to(ROOT)} has words of its own"


def test_one_language_key_for_every_page():
    js = (ROOT / "hall/static/text.js").read_text("utf-8")
    assert re.findall(r'KEY = "([^"]+)"', js) == ["hall.lang"]


def test_text_fills_blanks_and_falls_back_to_chinese():
    assert text.text("status.called") == "已叫号"
    assert text.text("status.called", "en") == "Called"
    assert text.text("kiosk.wait_min", "en-GB", m=7) == "about 7 min"
    assert text.text("kiosk.closed_todo", hours="9:00")[0] == "请在办理时间内再来：9:00"
    assert text.text("display.about_min", n=None) == "约  分钟"
    with pytest.raises(KeyError):
        text.text("kiosk.no_such_key")


def test_a_refusals_message_comes_from_the_catalogue_by_its_code():
    closed = Refused("closed", "the centre is closed now", 503, centre="东区政务服务中心")
    assert text.refusal_message(closed) == "东区政务服务中心不在办理时间 / the centre is closed now"
    plain = Refused("bad_input", "day must be a date like 2026-11-27", 400)
    assert text.refusal_message(plain) == "day must be a date like 2026-11-27"


def test_the_api_answers_a_refusal_in_both_languages(app, clock):
    from tests.conftest import Auth
    client = app.test_client()
    kiosk = Auth(app, client).device("kiosk-east", "kiosk", "east")
    clock.set("2026-11-29 10:00")                       # a Sunday: the centre is closed
    r = client.post("/api/v1/centers/east/tickets", json={"queue": "general"}, headers=kiosk)
    assert r.status_code == 503 and r.json["error"] == {
        "code": "closed", "message": "东区政务服务中心不在办理时间 / the centre is closed now"}


def test_a_refusal_without_the_facts_its_words_need_keeps_its_plain_message():
    vague = Refused("unknown_ticket", "no such ticket (or its day has ended)", 404)
    assert text.refusal_message(vague) == "no such ticket (or its day has ended)"
    known = Refused("unknown_ticket", "no ticket A009 today", 404, ticket="A009")
    assert text.refusal_message(known) == "今天没有 A009 号 / no ticket A009 today"


def test_a_tickets_status_in_a_refusal_is_put_in_words():
    done = Refused("not_printable", "ticket A001 is done", 409, number="A001", ticket_status="done")
    assert text.refusal_message(done) == "A001 号已办结，无需补打 / ticket A001: Done, no need to reprint"


def test_a_page_is_served_in_the_language_its_address_asks_for(app):
    client = app.test_client()
    zh = client.get("/m/").get_data(as_text=True)
    en = client.get("/m/?lang=en").get_data(as_text=True)
    assert '<h1 data-text="phone.board_title">各中心实时排队</h1>' in zh
    assert '<h1 data-text="phone.board_title">Live waits at every centre</h1>' in en
    assert zh.count('id="hall-text"') == 1       # the catalogue's namespaces, embedded once
