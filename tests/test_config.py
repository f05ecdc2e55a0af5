"""hall/config.py: HALL_* read once into the app's config, with defaults and types, and the test clock."""
import time
from datetime import datetime

import pytest

from hall import config
from hall.app import create_app
from tests.helpers import SHANGHAI


@pytest.fixture
def env(monkeypatch):
    for key in config.SETTINGS:
        monkeypatch.delenv("HALL_" + key, raising=False)
    return monkeypatch


def test_defaults_without_environment(env):
    c = config.read()
    assert c["DATA_DIR"] == "hall-data" and c["REDIS_URL"] is None
    assert c["RATE_LIMIT_PER_S"] == 20.0 and c["NOTIFY_AHEAD"] == 3 and c["SUPERVISE_EVERY_S"] == 5.0
    assert c["CLOCK"] is time.time


def test_environment_values_keep_their_kind(env):
    env.setenv("HALL_WECHAT_TOKEN", "123456")          # JSON would make it a number
    env.setenv("HALL_RATE_LIMIT_BURST", "5000")
    env.setenv("HALL_TRUSTED_PROXIES", "2")
    env.setenv("HALL_CORS_ORIGINS", "*")
    env.setenv("HALL_PUBLIC_URL", "")                   # empty means unset
    c = config.read()
    assert c["WECHAT_TOKEN"] == "123456"
    assert c["RATE_LIMIT_BURST"] == 5000.0 and isinstance(c["RATE_LIMIT_BURST"], float)
    assert c["TRUSTED_PROXIES"] == 2 and c["CORS_ORIGINS"] == "*" and c["PUBLIC_URL"] is None


def test_a_bad_number_is_a_clear_error(env):
    env.setenv("HALL_NOTIFY_AHEAD", "three")
    with pytest.raises(ValueError, match="HALL_NOTIFY_AHEAD"):
        config.read()


def test_the_callers_dict_wins_over_the_environment(env, tmp_path):
    env.setenv("HALL_SUPERVISE_EVERY_S", "0")
    app = create_app({"DATA_DIR": str(tmp_path), "SUPERVISE_EVERY_S": 7, "SECRET_KEY": "s"})
    assert app.config["SUPERVISE_EVERY_S"] == 7 and app.config["DATA_DIR"] == str(tmp_path)
    assert app.extensions["manage"].supervise_every_s == 7
    app.extensions["hall"].store.close()


def test_clock_start_runs_on_in_real_time(env, tmp_path):
    env.setenv("HALL_CLOCK_START", "2026-11-26T23:59:30+08:00")
    app = create_app({"DATA_DIR": str(tmp_path), "SECRET_KEY": "s"})
    clock = app.config["CLOCK"]
    first = clock()
    assert abs(first - datetime(2026, 11, 26, 23, 59, 30, tzinfo=SHANGHAI).timestamp()) < 5
    time.sleep(0.05)
    assert 0.04 < clock() - first < 5
    assert app.extensions["hall"].clock is clock
    app.extensions["hall"].store.close()


def test_clock_start_needs_an_offset(env):
    env.setenv("HALL_CLOCK_START", "2026-11-26T10:00:00")
    with pytest.raises(ValueError, match="offset"):
        config.read()
