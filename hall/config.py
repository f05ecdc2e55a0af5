"""The app's settings: defaults, then `HALL_*` from the environment (read once, here), then the dict
a caller passes (a test, `hall serve --catalog`). Every part reads `app.config`, never the
environment; README's configuration table lists the variables.

`HALL_CLOCK_START` (an ISO 8601 moment with its offset, e.g. `2026-11-26T10:00:00+08:00`) is a
testing aid: the app's clock starts there and runs on in real time, so a test of a served process
means the same thing whatever the hour it runs at.
"""
import time
from datetime import datetime

from flask import Config


class Setting:
    def __init__(self, default, kind=str):
        self.default, self.kind = default, kind


SETTINGS = {
    "DATA_DIR": Setting("hall-data"),
    "REDIS_URL": Setting(None),
    "REDIS_WAIT_REPLICAS": Setting(1, int),     # on a Redis Cluster: replicas that must hold an append
    "SECRET_KEY": Setting(None),
    "CLOCK_START": Setting(None),
    # the public edge
    "CORS_ORIGINS": Setting(""),
    "RATE_LIMIT_PER_S": Setting(20.0, float),
    "RATE_LIMIT_BURST": Setting(300.0, float),
    "RATE_LIMIT_STORE": Setting(None),
    "TRUSTED_PROXIES": Setting(0, int),
    "PUBLIC_CACHE_TTL": Setting(1.0, float),
    "PUBLIC_URL": Setting(None),
    "VOICE_PACK": Setting(None),
    # WeChat and notifications
    "WECHAT_TOKEN": Setting(None),
    "WECHAT_APPID": Setting(None),
    "WECHAT_AES_KEY": Setting(None),
    "WECHAT_AES_KEY_PREVIOUS": Setting(None),
    "WECHAT_AES_KEY_PREVIOUS_UNTIL": Setting(None),
    "WECHAT_SECRET": Setting(None),
    "WECHAT_API": Setting("https://api.weixin.qq.com"),
    "WECHAT_MESSAGE_KIND": Setting("subscribe"),
    "WECHAT_TEMPLATE_NEAR": Setting(None),
    "WECHAT_TEMPLATE_CALLED": Setting(None),
    "NOTIFY_AHEAD": Setting(3, int),
    "SMS_OUTBOX": Setting(None),
    # background work of a serving process
    "SUPERVISE_EVERY_S": Setting(5.0, float),
    "RECOMMEND_EVERY_S": Setting(60.0, float),
}


def _convert(key, value):
    """`from_prefixed_env` parses values as JSON (so `HALL_WECHAT_TOKEN=123` arrives as an int):
    bring each known key back to its kind. An empty variable means unset."""
    setting = SETTINGS.get(key)
    if setting is None or value is None:
        return value
    if value == "":
        return setting.default
    try:
        return setting.kind(value)
    except (TypeError, ValueError) as e:
        raise ValueError(f"HALL_{key}: expected {setting.kind.__name__}, got {value!r}") from e


def started_clock(start):
    """A clock that reads `start` (an ISO 8601 moment with offset) now and runs on in real time."""
    at = datetime.fromisoformat(start)
    if at.tzinfo is None:
        raise ValueError(f"HALL_CLOCK_START needs an offset, e.g. {start}+08:00")
    origin, since = at.timestamp(), time.monotonic()

    def clock():
        return origin + (time.monotonic() - since)
    clock.start = start
    return clock


def read(overrides=None, defaults=True):
    """Defaults (unless `defaults` is false), `HALL_*` from the environment, then `overrides`;
    `CLOCK` is the app's clock (`HALL_CLOCK_START`'s when set)."""
    config = Config(".")
    if defaults:
        config.from_mapping({key: s.default for key, s in SETTINGS.items()})
        config.update(CATALOG=None, CLOCK=None, MAX_CONTENT_LENGTH=256 * 1024)
    config.from_prefixed_env("HALL")
    for key in SETTINGS:
        if key in config:
            config[key] = _convert(key, config[key])
    if overrides:
        config.update(overrides)
    if defaults and config["CLOCK"] is None:
        config["CLOCK"] = started_clock(config["CLOCK_START"]) if config["CLOCK_START"] else time.time
    return config


def load(app, overrides=None):
    """Fill `app.config` as `read` does."""
    app.config.update(read(overrides))
    return app.config
