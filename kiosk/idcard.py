"""The resident-ID-card reader's serial protocol (the SAM module's; `kiosk/IDCARD.md`): pure, no I/O.

Frames are `AA AA AA 96 69 | LEN (2, big-endian) | body | CHK`, LEN counting the body and CHK, CHK the
XOR of LEN and body. A request's body is `CMD PARA DATA…`, an answer's `SW1 SW2 SW3 DATA…`.
`Decoder` takes bytes as they come off the line, in any pieces, and gives back whole frames; it
never raises, whatever arrives (noise, half frames, a reader unplugged mid-answer), and finds a
frame that follows garbage. Imports nothing of Hall: the kiosk agent runs it on the kiosk PC.
"""
from dataclasses import dataclass

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
MAX_LEN = 0x0508                 # the longest frame a reader sends: read-base's answer (1,288)

# Commands (CMD, PARA)
FIND = (0x20, 0x01)              # find a card on the reader
SELECT = (0x20, 0x02)            # select it
READ_BASE = (0x30, 0x01)         # read its text and photo

# SW3 of an answer
FOUND, NONE_FOUND = 0x9F, 0x80   # to FIND
OK, SELECT_FAILED = 0x90, 0x81   # OK to SELECT and READ_BASE

TEXT_LEN, PHOTO_LEN = 256, 1024
# The text's fields: (name, bytes of UCS-2 little-endian, space-padded), in order
TEXT_FIELDS = (("name", 30), ("sex", 2), ("nation", 4), ("birth", 16), ("address", 70), ("number", 36),
               ("authority", 30), ("valid_from", 16), ("valid_to", 16), ("reserved", 36))
assert sum(n for _, n in TEXT_FIELDS) == TEXT_LEN


def checksum(data):
    c = 0
    for b in data:
        c ^= b
    return c


def frame(body):
    """A whole frame around `body` (a request's CMD PARA DATA, or an answer's SW1 SW2 SW3 DATA)."""
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + bytes(body) + bytes([checksum(length + bytes(body))])


def request(command, data=b""):
    return frame(bytes(command) + bytes(data))


def answer(sw3, data=b"", sw1=0x00, sw2=0x00):
    return frame(bytes([sw1, sw2, sw3]) + bytes(data))


class Decoder:
    """Bytes in, frame bodies out; a bad checksum or an impossible length skips one byte and looks again.

    `feed(data)` returns the bodies of the frames completed by `data` (without preamble, LEN, CHK).
    `dropped` counts bytes thrown away as garbage, `bad` the frames whose checksum failed.
    """

    def __init__(self, max_len=MAX_LEN):
        self.max_len = max_len
        self.buffer = bytearray()
        self.dropped = 0
        self.bad = 0

    def feed(self, data):
        self.buffer += data
        out = []
        buf = self.buffer
        while True:
            start = buf.find(PREAMBLE)
            if start < 0:
                # keep a tail that may be the start of a preamble split across reads
                keep = _preamble_prefix(buf)
                self.dropped += len(buf) - keep
                del buf[:len(buf) - keep]
                break
            if start:
                self.dropped += start
                del buf[:start]
            if len(buf) < 7:
                break
            length = int.from_bytes(buf[5:7], "big")
            if not 1 <= length <= self.max_len:
                self.dropped += 1
                del buf[:1]
                continue
            end = 7 + length
            if len(buf) < end:
                break
            if checksum(buf[5:end - 1]) != buf[end - 1]:
                self.bad += 1
                self.dropped += 1
                del buf[:1]
                continue
            out.append(bytes(buf[7:end - 1]))
            del buf[:end]
        return out

    def reset(self):
        self.buffer.clear()


def _preamble_prefix(buf):
    for n in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
        if buf[-n:] == PREAMBLE[:n]:
            return n
    return 0


@dataclass(frozen=True)
class Answer:
    sw1: int
    sw2: int
    sw3: int
    data: bytes


def parse_answer(body):
    """An answer's status words and data; None for a body too short to be one."""
    if len(body) < 3:
        return None
    return Answer(body[0], body[1], body[2], bytes(body[3:]))


@dataclass(frozen=True)
class Card:
    """What the card's text says. Held in memory only for as long as it takes to send it to the hall."""
    name: str
    sex: str            # "1" male, "2" female
    nation: str         # the code of 民族, "01" 汉
    birth: str          # YYYYMMDD
    address: str
    number: str         # the 18-character ID number
    authority: str
    valid_from: str
    valid_to: str       # YYYYMMDD or 长期

    def __repr__(self):   # never the number or the name in a log line or a traceback
        return f"Card(sex={self.sex!r}, birth={self.birth[:4]}…)"


def decode_text(text):
    """The 256 text bytes → a dict of the fields (spaces and NULs stripped); bad UCS-2 is replaced."""
    out, at = {}, 0
    for key, width in TEXT_FIELDS:
        raw = bytes(text[at:at + width])
        out[key] = raw.decode("utf-16-le", errors="replace").strip(" \x00")
        at += width
    return out


def encode_text(fields):
    """The 256 text bytes of a card (for the simulated reader and tests)."""
    out = bytearray()
    for key, width in TEXT_FIELDS:
        raw = str(fields.get(key, "")).encode("utf-16-le")[:width]
        raw += " ".encode("utf-16-le") * ((width - len(raw)) // 2)
        out += raw
    return bytes(out)


def parse_base(data):
    """READ_BASE's DATA → a Card, or None when the lengths do not add up."""
    if len(data) < 4:
        return None
    text_len = int.from_bytes(data[0:2], "big")         # bytes 2–3, the photo's length: the photo is not read
    if text_len != TEXT_LEN or len(data) < 4 + text_len:
        return None
    f = decode_text(data[4:4 + text_len])
    f.pop("reserved")
    return Card(**f)


def base_data(card, photo=b""):
    """READ_BASE's DATA for a card: lengths, text, photo (the photo padded to 1,024 bytes, not decoded)."""
    text = encode_text(card if isinstance(card, dict) else card.__dict__)
    photo = bytes(photo)[:PHOTO_LEN].ljust(PHOTO_LEN, b"\x00")
    return TEXT_LEN.to_bytes(2, "big") + PHOTO_LEN.to_bytes(2, "big") + text + photo
