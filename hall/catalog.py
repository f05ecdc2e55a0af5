"""The YAML catalogue → configure commands, one per centre, all validated before any is applied."""
import yaml

from . import calendar
from .core.config import ConfigError, normalize_center

TOP_KEYS = ("district", "centers")


def read(path):
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f)
    except OSError as e:
        raise ConfigError(f"cannot read {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"{path} is not valid YAML: {e}") from None
    return parse(data)


def parse(data):
    """The centres of a catalogue document, normalized, each with hours following China's official
    calendar unless it says `calendar: none`; ConfigError names what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("centers"), list) or not data["centers"]:
        raise ConfigError("the catalogue needs a non-empty 'centers' list")
    unknown = sorted(set(data) - set(TOP_KEYS))
    if unknown:
        raise ConfigError(f"unknown top-level field(s) {', '.join(unknown)}")
    centers = [calendar.attach(normalize_center(c)) for c in data["centers"]]
    calendar.warn_uncovered(centers)
    ids = [c["id"] for c in centers]
    if len(set(ids)) != len(ids):
        raise ConfigError("a centre id appears twice")
    return centers


def load(hall, centers, by="catalog"):
    """Configure every centre; returns the ids whose configuration changed."""
    changed = []
    for c in centers:
        _, events, _ = hall.execute(c["id"], "configure", {"config": c}, by=by)
        if events:
            changed.append(c["id"])
    return changed
