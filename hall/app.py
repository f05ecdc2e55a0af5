"""The app factory: configuration from the environment (or a test's dict), the gateway, the API."""
import os
import secrets
import time

from flask import Flask

import displays
import kiosk
from . import api, assets, catalog, estimate, manage, public, realtime, staff
from .api import errors
from .centre import Hall
from .store import open_store


def create_app(config=None):
    app = Flask(__name__)
    app.config.from_mapping(
        DATA_DIR=os.environ.get("HALL_DATA_DIR", "hall-data"),
        REDIS_URL=os.environ.get("HALL_REDIS_URL") or None,
        SECRET_KEY=os.environ.get("HALL_SECRET_KEY") or None,
        CATALOG=None,
        CLOCK=time.time,
        MAX_CONTENT_LENGTH=256 * 1024,
    )
    if config:
        app.config.update(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    store = open_store(app.config["DATA_DIR"], app.config["REDIS_URL"])
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = store.secret(lambda: secrets.token_urlsafe(32))
    hall = Hall(store, clock=app.config["CLOCK"])
    app.extensions["hall"] = hall
    if app.config["CATALOG"]:
        catalog.load(hall, catalog.read(app.config["CATALOG"]))
    estimate.attach(hall)       # service times learned from the log, kept up to date as tickets finish

    errors.register(app)
    api.register(app)
    assets.init_app(app)    # /static/hall: the text catalogue and the scripts every page shares
    app.register_blueprint(displays.bp)
    app.register_blueprint(staff.bp)
    kiosk.register(app)
    # one Socket.IO server per app (tests build many apps in one process); it lives in
    # app.extensions["socketio"]
    realtime.init_app(app)
    public.init_app(app)    # the phone pages, /wechat, and the public edge (cache, ETag, rate limit, CORS)
    manage.init_app(app)    # /manage and the managers' API; supervision runs in the background when serving
    return app
