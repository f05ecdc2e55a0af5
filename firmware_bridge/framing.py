"""The HQ-485 frame: start, address, command, length, payload, CRC-16/MODBUS (see PROTOCOL.md).

    A5 | ADDR | CMD | LEN | PAYLOAD (LEN bytes, at most 200) | CRC low | CRC high

The CRC covers ADDR through the end of the payload. There is no byte stuffing: a receiver finds
frames by the start byte, the length and the CRC. `Decoder` is pure and incremental — bytes in,
frames out — with no clock and no I/O: whoever owns the line tells it when the line went quiet
(`idle()`), which is when a partial frame is known to be truncated rather than still arriving.
Nothing it is fed makes it raise; what is not a frame is dropped and counted.
"""
from dataclasses import dataclass, field

from .crc import crc16

START = 0xA5
HEADER = 4          # start, address, command, length
OVERHEAD = HEADER + 2
MAX_PAYLOAD = 200


@dataclass(frozen=True)
class Frame:
    address: int
    command: int
    payload: bytes = b""


def encode(address, command, payload=b""):
    """The bytes of one frame."""
    if not 0 <= address <= 0xFF or not 0 <= command <= 0xFF:
        raise ValueError("address and command are single bytes")
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes is over the {MAX_PAYLOAD}-byte maximum")
    body = bytes((START, address, command, len(payload))) + bytes(payload)
    crc = crc16(body, 1)
    return body + bytes((crc & 0xFF, crc >> 8))


def frame_bytes(frame):
    return encode(frame.address, frame.command, frame.payload)


@dataclass
class DecoderStats:
    frames: int = 0          # good frames delivered
    crc_errors: int = 0      # complete candidates whose CRC did not match
    truncated: int = 0       # partial frames abandoned when the line went quiet
    oversize: int = 0        # headers announcing more than MAX_PAYLOAD bytes
    dropped_bytes: int = 0   # bytes skipped while looking for a start byte

    def as_dict(self):
        return dict(self.__dict__)


@dataclass
class Decoder:
    """Bytes in, `Frame`s out. Incremental: feed any split of the stream, get the same frames."""
    max_payload: int = MAX_PAYLOAD
    stats: DecoderStats = field(default_factory=DecoderStats)

    def __post_init__(self):
        self._buf = bytearray()

    @property
    def pending(self):
        """Bytes held back as the beginning of a frame still arriving."""
        return len(self._buf)

    def feed(self, data):
        self._buf += data
        return self._drain()

    def idle(self):
        """The line went quiet: a partial frame held now will never complete.

        It is dropped, and the bytes after its start byte are searched again, because a false
        start byte in garbage can announce a length that swallows a real frame behind it.
        """
        out = []
        while self._buf:
            self.stats.truncated += 1
            del self._buf[:1]
            out += self._drain()
        return out

    def reset(self):
        self._buf.clear()

    def _drain(self):
        out = []
        buf, stats = self._buf, self.stats
        while True:
            i = buf.find(START)
            if i < 0:
                stats.dropped_bytes += len(buf)
                buf.clear()
                return out
            if i:
                stats.dropped_bytes += i
                del buf[:i]
            if len(buf) < HEADER:
                return out
            length = buf[3]
            if length > self.max_payload:
                stats.oversize += 1
                del buf[:1]
                continue
            end = HEADER + length
            if len(buf) < end + 2:
                return out
            if crc16(buf, 1, end) != buf[end] | (buf[end + 1] << 8):
                # not a frame after all (or a damaged one): look for a start byte inside it
                stats.crc_errors += 1
                del buf[:1]
                continue
            out.append(Frame(buf[1], buf[2], bytes(buf[HEADER:end])))
            stats.frames += 1
            del buf[:end + 2]
