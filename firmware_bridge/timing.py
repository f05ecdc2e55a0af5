"""Time on the wire, the bus master's timeouts, and what they predict for key-to-screen latency.

Everything here is arithmetic on the frame sizes of PROTOCOL.md; the bus master takes its
timeouts from it and `bench/bridge.py` compares its measurements with `predict()`.
"""
import math
from dataclasses import dataclass

from . import framing

BITS_PER_CHAR = 10                  # start bit, 8 data bits, stop bit (8N1)
POLL_BYTES = framing.OVERHEAD       # a poll carries no payload
HEARTBEAT_BYTES = framing.OVERHEAD + 2
KEY_BYTES = framing.OVERHEAD + 2
ACK_BYTES = framing.OVERHEAD + 1
RESPONSE_TYPICAL_S = 0.002          # a device starts its answer this long after a request ends
RESPONSE_MAX_S = 0.010              # and never later than this (PROTOCOL.md, "Timing")
SCHEDULING_SLACK_S = 0.010          # the master's own process may be late to read: a PC, not a UART


def char_s(baud):
    return BITS_PER_CHAR / baud


def wire_s(nbytes, baud):
    return nbytes * BITS_PER_CHAR / baud


def gap_s(baud):
    """Silence between frames: 3.5 characters, and at least 1.75 ms above 19,200 baud (as Modbus RTU)."""
    return max(3.5 * char_s(baud), 0.00175)


def reply_timeout_s(request_bytes, baud, max_reply_bytes=framing.OVERHEAD + 3):
    """How long the master waits, from the moment it starts writing, for the last byte of an answer."""
    return (wire_s(request_bytes, baud) + RESPONSE_MAX_S + wire_s(max_reply_bytes, baud)
            + SCHEDULING_SLACK_S)


def text_frame_bytes(text, zone_effect=2):
    return framing.OVERHEAD + zone_effect + len(text.encode("gb18030"))


def poll_transaction_s(baud, response_s=RESPONSE_TYPICAL_S):
    """One device polled with nothing to report: poll, answer, silence."""
    return wire_s(POLL_BYTES, baud) + response_s + wire_s(HEARTBEAT_BYTES, baud) + gap_s(baud)


def cycle_s(baud, devices, response_s=RESPONSE_TYPICAL_S):
    return devices * poll_transaction_s(baud, response_s)


def _sum_of_uniforms_quantile(q, a, b):
    """The q-quantile of U(0, a) + U(0, b)."""
    a, b = max(a, b), min(a, b)
    if b == 0:
        return q * a
    if q <= b / (2 * a):
        return math.sqrt(2 * a * b * q)
    if q <= 1 - b / (2 * a):
        return q * a + b / 2
    return a + b - math.sqrt(2 * a * b * (1 - q))


@dataclass(frozen=True)
class Prediction:
    baud: int
    devices: int
    poll_ms: float
    cycle_ms: float
    key_reply_ms: float
    led_frame_ms: float
    hall_ms: float
    p50_ms: float
    p99_ms: float
    max_ms: float

    def as_dict(self):
        return {k: (round(v, 1) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def predict(baud, devices, hall_s=0.015, led_text="A001 请到10号窗口", response_s=RESPONSE_TYPICAL_S, poll_s=None):
    """Key-to-LED latency on an otherwise idle line of `devices` polled round robin.

    key pressed → (wait for the keypad's poll: uniform over one cycle) → poll + KEY answer →
    hall round trip (HTTP call and the Socket.IO push, `hall_s`, overlapping the ACK) → the LED
    frame waits for the transaction on the bus to end (uniform over one poll) → LED frame on
    the wire; the LED shows the text as its last byte arrives. `poll_s` replaces the computed
    time of one poll transaction with a measured one.
    """
    poll = poll_s or poll_transaction_s(baud, response_s)
    cycle = devices * poll
    key_reply = wire_s(POLL_BYTES, baud) + response_s + wire_s(KEY_BYTES, baud)
    # the ACK to the keypad goes out at once; the hall answers in parallel
    hall = max(hall_s, wire_s(ACK_BYTES, baud) + gap_s(baud))
    led = wire_s(text_frame_bytes(led_text), baud)
    fixed = key_reply + hall + led

    def q(p):
        return 1000 * (fixed + _sum_of_uniforms_quantile(p, cycle, poll))
    return Prediction(baud, devices, 1000 * poll, 1000 * cycle, 1000 * key_reply, 1000 * led, 1000 * hall,
                      q(0.5), q(0.99), 1000 * (fixed + cycle + poll))
