import os

import pytest

# python-escpos writes a capabilities pickle into a new temp folder on every import
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", os.path.join(os.path.dirname(__file__), ".escpos-cache"))
# one default voice pack for every test hall (built by the first `hall serve` that misses it)
os.environ.setdefault("HALL_VOICE_PACK", os.path.join(os.path.dirname(__file__), "..", ".voice-pack"))

from hall import catalog  # noqa: E402
from hall.app import create_app  # noqa: E402
from functools import cache  # noqa: E402

from hall.auth import hash_password, new_device_token, device_token_hash, user_token  # noqa: E402
from tests.helpers import Clock, HallServer, PHONE_VIEWPORT, RedisCluster, RedisServer, small_center  # noqa: E402

PASSWORD = "pw-123456"


@pytest.fixture(scope="session", autouse=True)
def default_voice_pack(tmp_path_factory):
    """The shared default voice pack, built before any hall serves (nothing to do once it is)."""
    from displays.voice import Voice
    Voice(os.environ["HALL_VOICE_PACK"], str(tmp_path_factory.mktemp("voice"))).prepare()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


@pytest.fixture
def redis_url(redis_server):
    redis_server.flush()
    return redis_server.url


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory):
    """Three masters and three replicas, started once for the session and killed at its end."""
    cluster = RedisCluster(tmp_path_factory.mktemp("redis-cluster"))
    yield cluster
    cluster.stop()


@pytest.fixture
def cluster_url(redis_cluster):
    redis_cluster.flush()
    return redis_cluster.url


@pytest.fixture
def app(tmp_path, clock):
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "CLOCK": clock, "SECRET_KEY": "test-secret"})
    hall = app.extensions["hall"]
    catalog.load(hall, catalog.parse({"centers": [small_center("east"), small_center("west")]}))
    yield app
    hall.store.close()


@pytest.fixture
def hall(app):
    return app.extensions["hall"]


@pytest.fixture
def client(app):
    return app.test_client()


@cache
def _password_hash():
    return hash_password(PASSWORD)


class Auth:
    """Users and devices for API tests; `headers(name)` gives a bearer header."""

    def __init__(self, app, client):
        self.app, self.client, self.tokens = app, client, {}
        self.hall = app.extensions["hall"]
        self._hash = _password_hash()

    def user(self, username, role, center=None, **extra):
        name = username
        self.hall.execute_district("add-user", {"username": name, "role": role, "center": center,
                                                "password": self._hash, **extra})
        # the token login would give, without paying for the KDF in every test (login has its own tests)
        self.tokens[name] = user_token(self.app.config["SECRET_KEY"], name, self.hall.district().users[name])
        return self.headers(name)

    def device(self, name, kind, center):
        token = new_device_token()
        self.hall.execute_district("add-device", {"name": name, "kind": kind, "center": center,
                                                  "token": device_token_hash(token)})
        self.tokens[name] = token
        return self.headers(name)

    def headers(self, name):
        return {"Authorization": f"Bearer {self.tokens[name]}"}


@pytest.fixture
def auth(app, client):
    a = Auth(app, client)
    a.user("staff-east", "staff", "east", name="张敏", staff_no="01007")
    a.user("manager-east", "manager", "east")
    a.user("staff-west", "staff", "west")
    a.device("kiosk-east", "kiosk", "east")
    a.device("bridge-east", "bridge", "east")
    a.device("display-east", "display", "east")
    return a


@pytest.fixture
def hall_server(tmp_path):
    """A factory of real `hall serve` processes; every one started is stopped after the test."""
    servers = []

    def make(**kw):
        server = HallServer(tmp_path / f"server{len(servers)}", **kw)
        servers.append(server)
        return server
    yield make
    for s in servers:
        s.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium")
        yield b
        b.close()


@pytest.fixture
def open_page(browser):
    """open_page(url, width, height) → a page in its own context (Shanghai time, zh-CN); any
    JavaScript error on any page fails the test."""
    contexts, errors = [], []

    def open_(url, width=1920, height=1080):
        ctx = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                  timezone_id="Asia/Shanghai")
        contexts.append(ctx)
        page = ctx.new_page()
        page.on("pageerror", lambda e: errors.append(f"{url}: {e}"))
        page.goto(url)
        return page
    yield open_
    for ctx in contexts:
        ctx.close()
    assert errors == []


@pytest.fixture
def phone(browser):
    """phone(**context options) → a blank touch page the size of a phone; its JS errors in page.errors."""
    contexts = []

    def make(**kw):
        context = browser.new_context(viewport=PHONE_VIEWPORT, device_scale_factor=2, is_mobile=True,
                                      has_touch=True, locale="zh-CN", timezone_id="Asia/Shanghai", **kw)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        return page
    yield make
    for c in contexts:
        c.close()
