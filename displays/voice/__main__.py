"""Build the default voice pack: `python -m displays.voice [DIR]` (default $HALL_VOICE_PACK, else
$HALL_DATA_DIR/voice/default). Nothing is done when the pack there was made the same way."""
import logging
import os
import sys
import tempfile

from . import Voice, engine


def main(argv):
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    target = argv[0] if argv else (os.environ.get("HALL_VOICE_PACK")
                                   or os.path.join(os.environ.get("HALL_DATA_DIR", "hall-data"), "voice", "default"))
    with tempfile.TemporaryDirectory() as scratch:
        if not Voice(target, scratch).prepare():
            return "espeak-ng is not installed (apt-get install espeak-ng): no default voice pack"
    print(f"default voice pack ready in {target} ({engine.version()})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
