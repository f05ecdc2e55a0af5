"""The touch kiosk: its pages, the ticket printer, and what a kiosk may do beyond the public API.

`register(app)` is called by the app factory; nothing happens on import.
"""


def register(app):
    from .service import Kiosks
    from .settings import SettingsSource
    from .views import bp
    # read at each use, so that the config can change after the app is built (tests do)
    settings = SettingsSource(app.config["DATA_DIR"], lambda: app.config.get("KIOSKS") or {})
    app.extensions["kiosk"] = Kiosks(app.extensions["hall"], settings)
    app.register_blueprint(bp)
