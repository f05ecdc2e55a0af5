"""What a process next to the hardware (the bridge, the kiosk agent) does on its way in and out.

Both read one YAML file at start, each raising its own `ConfigError`, and run until SIGINT/SIGTERM.
"""
import logging
import signal
import sys
import threading

import yaml


def stop_on_signals():
    """An Event set by SIGTERM or SIGINT; the main loop waits on it."""
    stop = threading.Event()

    def handler(signum, frame):
        stop.set()
    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


def run_until_signalled(start, banner, log_name, stats_every_s=60):
    """Log INFO, `start()` the service, say `banner` on stderr, log its stats() every so often
    until SIGINT/SIGTERM, then stop() it."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = stop_on_signals()
    service = start()
    print(banner, file=sys.stderr, flush=True)
    try:
        while not stop.wait(stats_every_s):
            logging.getLogger(log_name).info("stats: %s", service.stats())
    finally:
        service.stop()


def read_yaml(path, error):
    """The YAML document at `path`; `error(message)` is raised when it cannot be read or parsed."""
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except OSError as e:
        raise error(f"cannot read {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise error(f"{path} is not valid YAML: {e}") from None


def typed_commands(stdin):
    """The words of each non-empty line a simulator's user types, until quit or exit."""
    for raw in stdin:
        words = raw.split()
        if not words:
            continue
        if words[0] in ("quit", "exit"):
            return
        yield words
