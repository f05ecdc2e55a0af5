"""Voice announcements made on the hall from voice packs (`pack.py` has the folder layout).

`init_app(app)` hangs a `Voice` on the app (`app.extensions["voice"]`): the default pack in
`$HALL_VOICE_PACK` (default `$HALL_DATA_DIR/voice/default`), the centres' own packs in
`$HALL_DATA_DIR/voice/own/<centre>`, the announcements made in `$HALL_DATA_DIR/voice/announcements`.
Nothing is built at import or when an app is made: `hall serve` calls `prepare()`, which builds
the default pack if it is missing; a clip still missing later is made when first needed.
"""
import logging
import os

from . import engine, words
from .announce import Announcer
from .pack import BadPack, Packs

log = logging.getLogger(__name__)

__all__ = ["Voice", "init_app", "BadPack", "words"]


class Voice:
    def __init__(self, default_dir, data_dir, make_missing=True):
        self.packs = Packs(default_dir, os.path.join(data_dir, "own"), make_missing=make_missing)
        self.announcer = Announcer(self.packs, os.path.join(data_dir, "announcements"))

    def prepare(self):
        """Build the default pack if it is missing (`hall serve`); False when it cannot be."""
        if self.packs.default_ready():
            return True
        try:
            n = self.packs.build_default()
        except engine.NoEngine as e:
            log.warning("%s; screens will use their own voices or a chime", e)
            return False
        log.info("built the default voice pack in %s (%d clips)", self.packs.default_dir, n)
        return True

    def announce(self, cid, voice, call):
        """The path of a call's announcement (`call` as realtime.call_message makes it), or None.
        Its file is written by `flush()`, or when it is first fetched."""
        return self.announcer.make(cid, voice, call["ticket"], call["window"], call.get("window_name"))

    def relayed(self, cid, voice, call):
        """Make here the announcement of a call another process made and gave its `audio` path
        (processes on other machines share no folder), and serve it under that path."""
        ours = self.announce(cid, voice, call)
        if ours is not None and call.get("audio"):
            self.announcer.alias(call["audio"], ours)

    def flush(self):
        """Write the announcements named since the last flush: call it once their calls are out."""
        self.announcer.flush()


def init_app(app):
    data = os.path.join(app.config["DATA_DIR"], "voice")
    default = app.config.get("VOICE_PACK") or os.path.join(data, "default")
    v = Voice(default, data, make_missing=app.config.get("VOICE_MAKE_MISSING", True))
    app.extensions["voice"] = v
    return v
