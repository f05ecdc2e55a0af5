"""What a process next to the hardware (the bridge, the kiosk agent) does on its way in and out.

Both read one YAML file at start, each raising its own `ConfigError`, and run until SIGINT/SIGTERM.
"""
import signal
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


def read_yaml(path, error):
    """The YAML document at `path`; `error(message)` is raised when it cannot be read or parsed."""
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except OSError as e:
        raise error(f"cannot read {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise error(f"{path} is not valid YAML: {e}") from None
