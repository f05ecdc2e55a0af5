"""The frame and its decoder: exact bytes, and what is dropped and counted."""
import pytest

from firmware_bridge.crc import crc16
from firmware_bridge.framing import Decoder, Frame, MAX_PAYLOAD, encode


def test_crc16_modbus_check_value():
    assert crc16(b"123456789") == 0x4B37
    assert crc16(b"") == 0xFFFF


def test_a_poll_frame_is_exact_bytes():
    # start, address 3, POLL, no payload, CRC-16/MODBUS of 03 01 00, low byte first
    assert encode(3, 0x01) == bytes.fromhex("A5 03 01 00 80 50")


def test_payload_over_the_maximum_is_refused_when_encoding():
    encode(1, 0x10, bytes(MAX_PAYLOAD))
    with pytest.raises(ValueError):
        encode(1, 0x10, bytes(MAX_PAYLOAD + 1))


def test_frames_come_out_whatever_the_split():
    stream = encode(1, 0x83, b"\x01\x00") + encode(2, 0x82, b"\x02\x00") + encode(3, 0x90, "请".encode("gb18030"))
    for size in (1, 2, 3, 7, len(stream)):
        d = Decoder()
        out = []
        for i in range(0, len(stream), size):
            out += d.feed(stream[i:i + size])
        assert out == [Frame(1, 0x83, b"\x01\x00"), Frame(2, 0x82, b"\x02\x00"), Frame(3, 0x90, b"\xc7\xeb")]
        assert d.stats.frames == 3 and d.stats.crc_errors == d.stats.dropped_bytes == 0


def test_garbage_before_between_and_after_is_dropped_and_counted():
    d = Decoder()
    out = d.feed(b"\x00\xff" + encode(1, 1) + b"junk" + encode(2, 1) + b"\x13")
    assert [f.address for f in out] == [1, 2]
    assert d.stats.dropped_bytes == 2 + 4 + 1


def test_a_bad_crc_drops_the_frame_and_the_next_one_is_found():
    bad = bytearray(encode(1, 0x83, b"\x01\x00"))
    bad[5] ^= 0x40
    d = Decoder()
    assert d.feed(bytes(bad) + encode(2, 0x82, b"\x02\x00")) == [Frame(2, 0x82, b"\x02\x00")]
    assert d.stats.crc_errors == 1


def test_a_false_start_byte_announcing_a_long_frame_does_not_swallow_the_real_one():
    # 0xA5 then a length of 150: the decoder waits for it, and when the line goes quiet it gives up
    # on that start and finds the frame inside
    d = Decoder()
    assert d.feed(b"\xa5\x07\x01\x96" + encode(4, 0x82, b"\x03\x00")) == []
    assert d.idle() == [Frame(4, 0x82, b"\x03\x00")]
    assert d.stats.truncated >= 1


def test_a_truncated_frame_is_dropped_when_the_line_goes_quiet():
    d = Decoder()
    assert d.feed(encode(1, 0x10, b"\x00\x00hello")[:-3]) == []
    assert d.idle() == []
    assert d.stats.truncated == 1 and d.pending == 0
    assert d.feed(encode(1, 0x01)) == [Frame(1, 0x01, b"")]


def test_a_length_over_the_maximum_is_not_a_frame():
    d = Decoder()
    assert d.feed(b"\xa5\x01\x01\xc9" + encode(1, 1)) == [Frame(1, 1, b"")]
    assert d.stats.oversize == 1
