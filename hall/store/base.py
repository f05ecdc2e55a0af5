"""What both stores share: the conflict they raise and how an event is written down."""
import json


class Conflict(Exception):
    """The stream moved on since the command was decided: catch up and decide again."""

    def __init__(self, stream, expected, actual):
        super().__init__(f"stream {stream!r} is at version {actual}, not {expected}")
        self.stream, self.expected, self.actual = stream, expected, actual


class Unavailable(Exception):
    """The store cannot take a write or answer a read now, or cannot make a write durable (Redis out of
    reach, a cluster switching masters, too few replicas confirming): the edge answers 503 and the
    client tries again. Not a Refused: code that reads "refused" as "no such centre or ticket" must not
    turn an outage into a 404, so this passes through every `except Refused` to the edge."""

    status = 503

    def __init__(self, message, code="store_unavailable"):
        super().__init__(message)
        self.code, self.message, self.params = code, message, {}

    def details(self):
        return {}


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
