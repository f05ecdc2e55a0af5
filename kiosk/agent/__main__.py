"""`python -m kiosk.agent --config FILE`: the kiosk agent without the hall's console script."""
import sys

from .cli import run_agent
from .config import ConfigError

if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "--config":
        sys.exit("usage: python -m kiosk.agent --config FILE")
    try:
        run_agent(sys.argv[2])
    except ConfigError as e:
        sys.exit(f"error: {e}")
