"""python -m firmware_bridge bridge|sim --config FILE (the same as `hall bridge` / `hall bridge-sim`)."""
import argparse
import sys

from .cli import run_bridge, run_sim
from .config import ConfigError


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m firmware_bridge")
    p.add_argument("what", choices=("bridge", "sim"))
    p.add_argument("--config", required=True)
    a = p.parse_args(argv)
    try:
        (run_bridge if a.what == "bridge" else run_sim)(a.config)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
