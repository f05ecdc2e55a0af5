"""What both stores share: the conflict they raise and how an event is written down."""
import json

from ..core.errors import Refused


class Conflict(Exception):
    """The stream moved on since the command was decided: catch up and decide again."""

    def __init__(self, stream, expected, actual):
        super().__init__(f"stream {stream!r} is at version {actual}, not {expected}")
        self.stream, self.expected, self.actual = stream, expected, actual


class Unavailable(Refused):
    """The store cannot take a write now, or cannot make it durable (a cluster switching masters,
    too few replicas confirming): the API answers 503 and the client tries again."""

    def __init__(self, message, code="store_unavailable"):
        super().__init__(code, message, 503)


def encode(event):
    return json.dumps({k: v for k, v in event.items() if k != "seq"}, ensure_ascii=False,
                      separators=(",", ":"))


def decode(seq, body):
    event = json.loads(body)
    event["seq"] = seq
    return event


# A snapshot is {"version", "format", "state": CenterState.to_dict(), "learned": what the estimator
# had learned at that version (hall/estimate/persist.py) or None}. Format 1 had no "learned": its state
# is still read, and the estimator relearns from the log once.
SNAPSHOT_FORMAT = 2
STATE_FORMATS = (1, 2)      # formats whose "state" this code reads
