"""Managers: the live dashboard, window rebalancing with recommendations, electronic supervision
(电子监察), 好差评 follow-ups, reports and administration.

`init_app(app)` registers the pages (/manage…) and the managers' API (/api/v1…), and hangs a
`Manage` on the app (`app.extensions["manage"]`) and the keeper of the per-day aggregates the
reports read (`app.extensions["aggregates"]`, fed by the gateway as events arrive). In a gevent
server process it also starts the background greenlet that supervises every centre every
SUPERVISE_EVERY_S seconds (default 5, $HALL_SUPERVISE_EVERY_S; 0 turns it off) and refreshes
recommendations every RECOMMEND_EVERY_S (default 60, $HALL_RECOMMEND_EVERY_S). Nothing starts at
import, and nothing starts in a test's app: tests call `app.extensions["manage"].tick()` with their
fake clock.
"""
from ..store import aggregates
from . import admin_api, api, pages, reports_api, voice_api
from .service import Manage

API_BLUEPRINTS = (api.bp, reports_api.bp, admin_api.bp, voice_api.bp)


def init_app(app, api_prefix="/api/v1"):
    for bp in API_BLUEPRINTS:
        app.register_blueprint(bp, url_prefix=api_prefix)
    app.register_blueprint(pages.bp)
    every = float(app.config["SUPERVISE_EVERY_S"])
    manage = Manage(app.extensions["hall"], supervise_every_s=every,
                    recommend_every_s=float(app.config["RECOMMEND_EVERY_S"]))
    app.extensions["manage"] = manage
    app.extensions["aggregates"] = aggregates.attach(app.extensions["hall"])
    from ..realtime import async_mode
    if every > 0 and async_mode() == "gevent":
        manage.start()
    return manage
