"""The app factory: configuration from the environment (or a test's dict), the gateway, the API."""
import secrets

from flask import Flask

import displays
import kiosk
from . import api, assets, catalog, config as settings, manage, nearby, public, realtime, staff
from .api import errors
from .centre import Hall
from .estimate import Estimator
from .store import open_store


def create_app(config=None):
    app = Flask(__name__)
    settings.load(app, config)      # defaults, then HALL_* from the environment, then `config`
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    store = open_store(app.config["DATA_DIR"], app.config["REDIS_URL"], app.config["REDIS_WAIT_REPLICAS"])
    # one Redis client per app, the store's: memo, notifications and the rest share it
    app.extensions["redis"] = getattr(store, "r", None)
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = store.secret(lambda: secrets.token_urlsafe(32))
    # the estimator learns each centre's service times and waits from its log as events arrive
    hall = Hall(store, clock=app.config["CLOCK"], estimator=Estimator())
    app.extensions["hall"] = hall
    if app.config["CATALOG"]:
        catalog.load(hall, catalog.read(app.config["CATALOG"]))

    nearby.init_app(app)    # the centres' locations and recent summaries, for `near` pages
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
