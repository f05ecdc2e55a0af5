"""HQ-485, the protocol PROTOCOL.md documents: command codes and payloads on the shared framing.

The command byte is  DIR (bit 7: 1 = from a device) | SEQ (bit 6) | code (bits 0-5).
Decoding never raises: a frame with a payload that does not fit its command is counted as
malformed and ignored, exactly like one that failed its CRC.
"""
import struct

from .. import framing
from ..messages import (Ack, Acked, Brightness, Effect, Envelope, Evaluation, Heartbeat, Key, KeyPress,
                        Kind, Nak, Poll, Prompt, ShowText, Sync)

DIR = 0x80
SEQ = 0x40
CODE = 0x3F

POLL, HEARTBEAT, KEY, EVAL, ACK, NAK, SYNC = 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07
TEXT, BRIGHTNESS, PROMPT = 0x10, 0x11, 0x12

BROADCAST = 0x00
MAX_ADDRESS = 0xF7

# NAK reasons
NAK_UNKNOWN, NAK_PAYLOAD, NAK_TOO_LONG, NAK_NOT_SYNCED = 1, 2, 3, 4

TEXT_ENCODING = "gb18030"
TEXT_MAX = framing.MAX_PAYLOAD - 2       # zone and effect come first
PROMPT_TEXT_MAX = framing.MAX_PAYLOAD - 3

FLAG_BOOT, FLAG_FAULT, FLAG_BUSY = 0x01, 0x02, 0x04

_REQUEST_CODES = {Poll: POLL, Sync: SYNC, ShowText: TEXT, Brightness: BRIGHTNESS, Prompt: PROMPT, Ack: ACK}
_REPLY_CODES = {Heartbeat: HEARTBEAT, KeyPress: KEY, Evaluation: EVAL, Acked: ACK, Nak: NAK}


def gb18030(text, limit):
    """The text in GB18030, cut at a character boundary to fit `limit` bytes."""
    data = text.encode(TEXT_ENCODING)
    if len(data) <= limit:
        return data
    out = b""
    for ch in text:
        b = ch.encode(TEXT_ENCODING)
        if len(out) + len(b) > limit:
            break
        out += b
    return out


NAMES = {SYNC: "sync", TEXT: "text", BRIGHTNESS: "brightness", PROMPT: "prompt", KEY: "key", EVAL: "evaluation",
         POLL: "poll", ACK: "ack"}
CODES = {name: code for code, name in NAMES.items()}


def _name(code):
    return NAMES.get(code, f"0x{code:02x}")


def _code(name):
    return CODES[name] if name in CODES else int(name, 16)


class HQ485:
    name = "hq485"
    max_reply_bytes = framing.OVERHEAD + 3     # EVAL, the longest answer to a poll

    def __init__(self):
        self.malformed = 0

    def decoder(self):
        return framing.Decoder()

    # --- master side ---

    def encode_request(self, env):
        b = env.body
        if isinstance(b, Poll):
            payload = b""
        elif isinstance(b, Sync):
            payload = struct.pack(">I", b.clock & 0xFFFFFFFF)
        elif isinstance(b, ShowText):
            payload = bytes((b.zone, int(b.effect))) + gb18030(b.text, TEXT_MAX)
        elif isinstance(b, Brightness):
            payload = bytes((max(0, min(15, b.level)),))
        elif isinstance(b, Prompt):
            payload = struct.pack(">HB", b.prompt, max(1, min(255, b.timeout_s))) + gb18030(b.text, PROMPT_TEXT_MAX)
        elif isinstance(b, Ack):
            payload = bytes((_code(b.of),))
        else:
            raise TypeError(f"not a request: {b!r}")
        return framing.encode(env.address, _REQUEST_CODES[type(b)] | (SEQ if env.seq else 0), payload)

    def decode_reply(self, frame):
        if not frame.command & DIR:
            return None          # our own request heard back (an adapter that echoes), or another master
        code, seq, p = frame.command & CODE, 1 if frame.command & SEQ else 0, frame.payload
        try:
            body = self._reply_body(code, p)
        except (ValueError, IndexError, struct.error, UnicodeDecodeError):
            body = None
        if body is None:
            self.malformed += 1
            return None
        return Envelope(frame.address, body, seq)

    @staticmethod
    def _reply_body(code, p):
        if code == HEARTBEAT and len(p) == 2:
            return Heartbeat(Kind(p[0]), bool(p[1] & FLAG_BOOT), bool(p[1] & FLAG_FAULT), bool(p[1] & FLAG_BUSY))
        if code == KEY and len(p) == 2:
            return KeyPress(Key(p[0]), p[1])
        if code == EVAL and len(p) == 3:
            prompt, score = struct.unpack(">HB", p)
            return Evaluation(prompt, score) if score <= 5 else None
        if code == ACK and len(p) == 1:
            return Acked(_name(p[0]))
        if code == NAK and len(p) == 2:
            return Nak(_name(p[0]), p[1])
        return None

    # --- device side ---

    def encode_reply(self, env):
        b = env.body
        if isinstance(b, Heartbeat):
            flags = (FLAG_BOOT if b.boot else 0) | (FLAG_FAULT if b.fault else 0) | (FLAG_BUSY if b.busy else 0)
            payload = bytes((int(b.kind), flags))
        elif isinstance(b, KeyPress):
            payload = bytes((int(b.key), b.arg))
        elif isinstance(b, Evaluation):
            payload = struct.pack(">HB", b.prompt, b.score)
        elif isinstance(b, Acked):
            payload = bytes((_code(b.of),))
        elif isinstance(b, Nak):
            payload = bytes((_code(b.of), b.reason))
        else:
            raise TypeError(f"not a reply: {b!r}")
        return framing.encode(env.address, DIR | _REPLY_CODES[type(b)] | (SEQ if env.seq else 0), payload)

    def decode_request(self, frame):
        """A master's frame as a device reads it; None if it is not one (or not well formed).

        A well-formed frame with a code the device does not know comes back as a `Nak` body,
        which a device answers as is.
        """
        if frame.command & DIR:
            return None
        code, seq, p = frame.command & CODE, 1 if frame.command & SEQ else 0, frame.payload
        try:
            body = self._request_body(code, p)
        except (ValueError, IndexError, struct.error, UnicodeDecodeError):
            body = Nak(_name(code), NAK_PAYLOAD)
        return Envelope(frame.address, body, seq)

    @staticmethod
    def _request_body(code, p):
        if code == POLL:
            return Poll()
        if code == SYNC:
            return Sync(struct.unpack(">I", p)[0] if len(p) == 4 else 0)
        if code == TEXT and len(p) >= 2:
            return ShowText(p[0], p[2:].decode(TEXT_ENCODING), Effect(p[1]))
        if code == BRIGHTNESS and len(p) == 1 and p[0] <= 15:
            return Brightness(p[0])
        if code == PROMPT and len(p) >= 3:
            prompt, timeout = struct.unpack(">HB", p[:3])
            return Prompt(prompt, timeout, p[3:].decode(TEXT_ENCODING))
        if code == ACK and len(p) == 1:
            return Ack(_name(p[0]))
        if code in (POLL, SYNC, TEXT, BRIGHTNESS, PROMPT, ACK):
            return Nak(_name(code), NAK_PAYLOAD)
        return Nak(_name(code), NAK_UNKNOWN)
