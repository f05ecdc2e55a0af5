"""`hall serve` on a clock that starts at a given Shanghai wall-clock time and runs on from it.

For end-to-end tests whose outcome depends on the hour (a booking's check-in window, a card
holder's age): `python -m tests.kiosk.serve_at "2026-11-26 10:00" serve --port N`.
"""
import sys
import time


def main():
    from gevent import monkey
    monkey.patch_all()
    from hall.app import create_app
    from hall.server import serve
    from tests.helpers import at
    start, began = at(sys.argv[1]), time.time()
    port = int(sys.argv[sys.argv.index("--port") + 1])
    app = create_app({"CLOCK": lambda: start + (time.time() - began)})
    serve(app, "127.0.0.1", port)


if __name__ == "__main__":
    main()
