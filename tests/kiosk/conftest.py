"""Kiosk fixtures: a catalogue with departments and life events, python-escpos printers to print on,
and a real `hall serve` whose kiosk prints into a file in the test's folder."""
import os

import pytest
import yaml

from kiosk.printer import escpos_module
from tests.helpers import always_open, small_center

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(__file__))), "test-artifacts")


def kiosk_center(cid="east"):
    """small_center with the items a kiosk shows: departments, life events, materials."""
    c = small_center(cid)
    c["name_en"] = "East District Government Service Centre"
    c["notice"] = "请携带材料原件取号办理；过号请到咨询台。办事不求人，有事找引导员。"
    c["notice_en"] = "Bring the originals of your documents; if you miss your number, ask at the desk."
    c["items"] = [
        {"id": "marriage", "name": "结婚登记", "name_en": "Marriage registration", "queue": "general",
         "department": "民政局", "life_events": ["结婚"], "weight": 5,
         "materials": ["双方户口簿", "双方居民身份证", "近期半身免冠合影照片3张"]},
        {"id": "birth-reg", "name": "生育登记", "queue": "general", "department": "卫生健康局",
         "life_events": ["出生", "结婚"], "weight": 3, "materials": ["夫妻双方居民身份证", "户口簿", "结婚证"]},
        {"id": "newborn-hukou", "name": "新生儿入户", "queue": "police", "department": "公安局",
         "life_events": ["出生"], "weight": 4, "materials": ["出生医学证明", "父母户口簿", "父母居民身份证"]},
        {"id": "id-card", "name": "居民身份证换领", "queue": "police", "department": "公安局", "weight": 6,
         "materials": ["居民身份证"]},
        {"id": "school-proof", "name": "入学居住证明", "queue": "general", "department": "教育局",
         "life_events": ["上学"], "weight": 2, "materials": ["居住证", "租赁合同或房产证"]},
        {"id": "unemployment-reg", "name": "失业登记", "queue": "general", "department": "人力资源和社会保障局",
         "life_events": ["工作"], "weight": 3, "materials": ["居民身份证", "社会保障卡", "解除劳动合同证明"]},
        {"id": "pension", "name": "养老保险待遇申领", "queue": "general", "department": "人力资源和社会保障局",
         "life_events": ["退休"], "weight": 3, "materials": ["居民身份证", "社会保障卡", "银行账户"]},
        {"id": "tax-invoice", "name": "发票领用", "queue": "tax", "department": "税务局", "life_events": ["工作"],
         "weight": 2, "materials": ["营业执照", "经办人身份证"]},
    ]
    return c


@pytest.fixture
def dummy():
    return escpos_module().Dummy()


class Printers:
    """Hands the kiosk service the printer a test chooses (python-escpos's own Dummy by default)."""

    def __init__(self, service, printer):
        self.service = service
        self.printer = printer
        self.specs = []
        service.connect = self._connect

    def _connect(self, spec):
        self.specs.append(spec)
        return self.printer


@pytest.fixture
def kiosk_app(app, auth, dummy):
    """The app with kiosk-east set up: a Dummy printer on 80 mm paper, guide PIN 2468."""
    app.config["KIOSKS"] = {"kiosk-east": {"printer": {"kind": "file", "path": "/unused", "paper_mm": 80,
                                                       "status": True},
                                           "guide_pin": "2468", "base_url": "https://hall.example.cn"}}
    app.printers = Printers(app.extensions["kiosk"], dummy)
    return app


@pytest.fixture
def kiosk_server(hall_server, tmp_path):
    """A real `hall serve` (always open) whose kiosk-east prints into tmp_path/printer.bin."""
    server = hall_server(centers=[always_open(kiosk_center())])
    folder = os.path.join(server.env["HALL_DATA_DIR"], "kiosks")
    os.makedirs(folder, exist_ok=True)
    server.printer_file = str(tmp_path / "printer.bin")
    server.kiosk_settings = os.path.join(folder, "kiosk-east.yaml")
    with open(server.kiosk_settings, "w", encoding="utf-8") as f:
        yaml.safe_dump({"printer": {"kind": "file", "path": server.printer_file, "paper_mm": 80},
                        "guide_pin": "2468", "ticket_idle_s": 4, "idle_s": 30}, f, allow_unicode=True)
    server.start()
    return server


PORTRAIT = {"width": 1080, "height": 1920}


@pytest.fixture
def kiosk_page(browser, kiosk_server):
    """kiosk_page(ready) → the portrait touch kiosk of `kiosk_server`, once the home screen shows
    the `ready` selector; its JS errors fail the test."""
    contexts, errors = [], []

    def open_(ready):
        context = browser.new_context(viewport=PORTRAIT, has_touch=True, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{kiosk_server.url}/kiosk/east?token={kiosk_server.tokens['kiosk-east']}")
        page.wait_for_selector(f"body[data-ready='1'] #view-home:not([hidden]) {ready}")
        page.server = kiosk_server
        return page
    yield open_
    for context in contexts:
        context.close()
    assert not errors, errors


@pytest.fixture
def artifacts():
    os.makedirs(ARTIFACTS, exist_ok=True)
    return ARTIFACTS
