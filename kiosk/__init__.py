"""The touch kiosk: its pages, the ticket printer, and what a kiosk may do beyond the public API.

`register(app)` is called by the app factory; nothing happens on import.
"""


def register(app):
    from .agent_jobs import RedisRelay
    from .service import Kiosks
    from .settings import SettingsSource
    from .views import bp
    # read at each use, so that the config can change after the app is built (tests do)
    settings = SettingsSource(app.config["DATA_DIR"], lambda: app.config.get("KIOSKS") or {})

    def push(name, payload, room):
        # the Socket.IO server exists once the app factory has run realtime.init_app
        app.extensions["socketio"].server.emit(name, payload, to=room)

    def agent_online(cid, device):
        online = app.extensions.get("kiosk_agent_online")
        return online(cid, device) if online else None

    app.extensions["kiosk"] = Kiosks(app.extensions["hall"], settings, secret=lambda: app.config["SECRET_KEY"],
                                     push=push, agent_online=agent_online,
                                     relay=RedisRelay(app.config["REDIS_URL"]) if app.config["REDIS_URL"] else None)
    app.register_blueprint(bp)
