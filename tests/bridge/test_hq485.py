"""HQ-485 commands: exact bytes as PROTOCOL.md prints them, round trips, malformed frames ignored."""
import re
from pathlib import Path

import pytest

from firmware_bridge.drivers import driver
from firmware_bridge.drivers.hq485 import HQ485
from firmware_bridge.framing import Decoder, encode
from firmware_bridge.messages import (Ack, Acked, Brightness, Effect, Envelope, Evaluation, Heartbeat, Key, KeyPress,
                                      Kind, Nak, Poll, Prompt, ShowText, Sync)

PROTOCOL = Path(__file__).parents[2] / "firmware_bridge" / "PROTOCOL.md"


def frame(data):
    (f,) = Decoder().feed(data)
    return f


def test_the_examples_in_protocol_md_are_what_the_driver_sends():
    d = HQ485()
    examples = {
        "A5 03 01 00 80 50": d.encode_request(Envelope(3, Poll())),
        "A5 03 82 02 03 00 E9 48": d.encode_reply(Envelope(3, Heartbeat(Kind.LED))),
        "A5 01 82 02 01 01 50 28": d.encode_reply(Envelope(1, Heartbeat(Kind.KEYPAD, boot=True))),
        "A5 03 07 04 6B 07 E7 00 3E 62": d.encode_request(Envelope(3, Sync(1795680000))),
        "A5 01 C3 02 01 00 85 D4": d.encode_reply(Envelope(1, KeyPress(Key.CALL_NEXT), 1)),
        "A5 01 45 01 03 51 9C": d.encode_request(Envelope(1, Ack("key"), 1)),
        "A5 03 10 12 00 00 41 30 30 31 20 C7 EB B5 BD 31 BA C5 B4 B0 BF DA 17 00":
            d.encode_request(Envelope(3, ShowText(0, "A001 请到1号窗口"))),
        "A5 03 85 01 10 11 D5": d.encode_reply(Envelope(3, Acked("text"))),
        "A5 02 52 09 01 02 1E C7 EB C6 C0 BC DB 0D 94": d.encode_request(Envelope(2, Prompt(258, 30, "请评价"), 1)),
        "A5 02 84 03 01 02 05 61 00": d.encode_reply(Envelope(2, Evaluation(258, 5))),
        "A5 00 11 01 0A D1 B6": d.encode_request(Envelope(0, Brightness(10))),
    }
    doc = PROTOCOL.read_text(encoding="utf-8")
    for text, data in examples.items():
        assert data == bytes.fromhex(text)
        assert re.search(r"\s" + re.escape(text) + r"(\s|$)", doc), f"PROTOCOL.md lacks {text}"


@pytest.mark.parametrize("body, seq", [
    (Poll(), 0), (Sync(123456), 0), (ShowText(1, "等候 5 人", Effect.SCROLL), 1), (Brightness(15), 1),
    (Prompt(65535, 255, "请对A001号的服务进行评价"), 0), (Ack("evaluation"), 1)])
def test_requests_round_trip_as_a_device_reads_them(body, seq):
    d = driver("hq485")
    env = d.decode_request(frame(d.encode_request(Envelope(7, body, seq))))
    assert env == Envelope(7, body, seq)


@pytest.mark.parametrize("body, seq", [
    (Heartbeat(Kind.EVALUATOR, busy=True), 0), (KeyPress(Key.TRANSFER, 2), 1), (Evaluation(9, 0), 0),
    (Acked("prompt"), 1), (Nak("text", 3), 0)])
def test_replies_round_trip_as_the_master_reads_them(body, seq):
    d = HQ485()
    assert d.decode_reply(frame(d.encode_reply(Envelope(200, body, seq)))) == Envelope(200, body, seq)


def test_long_chinese_text_is_cut_at_a_character_boundary():
    d = HQ485()
    data = d.encode_request(Envelope(1, ShowText(0, "请" * 150)))
    assert len(data) == 6 + 2 + 198
    assert d.decode_request(frame(data)).body.text == "请" * 99


@pytest.mark.parametrize("command, payload", [
    (0x83, b"\x01"),             # KEY needs two bytes
    (0x83, b"\x7f\x00"),         # no such key
    (0x84, b"\x00\x01\x09"),     # score 9
    (0x82, b"\x09\x00"),         # no such device type
    (0xBF, b""),                 # unknown code
])
def test_malformed_replies_are_ignored_and_counted(command, payload):
    d = HQ485()
    assert d.decode_reply(frame(encode(1, command, payload))) is None
    assert d.malformed == 1


def test_the_master_ignores_its_own_frames_echoed_back():
    d = HQ485()
    assert d.decode_reply(frame(d.encode_request(Envelope(1, Poll())))) is None


def test_a_device_answers_an_unknown_command_with_nak():
    d = HQ485()
    assert d.decode_request(frame(encode(1, 0x3E, b""))).body == Nak("0x3e", 1)
    assert d.decode_request(frame(encode(1, 0x10, b"\x00"))).body == Nak("text", 2)
