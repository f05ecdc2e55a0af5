"""The ID-card reader's frames (kiosk/IDCARD.md) byte for byte, and the decoder under any input."""
import re
from pathlib import Path

from hypothesis import assume, given, settings, strategies as st

from kiosk import idcard

DOC = (Path(idcard.__file__).parent / "IDCARD.md").read_text(encoding="utf-8")

CARD = {"name": "张三", "sex": "1", "nation": "01", "birth": "19491231", "address": "北京市朝阳区某某路1号",
        "number": "11010519491231002X", "authority": "北京市公安局朝阳分局", "valid_from": "20150101",
        "valid_to": "长期"}


def hx(text):
    return bytes.fromhex(text)


def doc_frame(label):
    """The frame the vendor document's table gives for `label`."""
    m = re.search(rf"^\| {re.escape(label)} \| `([0-9A-F ]+)` \|$", DOC, re.M)
    assert m, label
    return hx(m.group(1))


def test_the_documents_requests_are_what_the_encoder_sends():
    assert idcard.request(idcard.FIND) == doc_frame("find card, request") == hx("AA AA AA 96 69 00 03 20 01 22")
    assert idcard.request(idcard.SELECT) == doc_frame("select card, request") == hx("AAAAAA9669 0003 2002 21")
    assert idcard.request(idcard.READ_BASE) == doc_frame("read base information, request") == \
        hx("AAAAAA9669 0003 3001 32")


def test_the_documents_answers_are_what_the_encoder_builds():
    assert idcard.answer(idcard.FOUND, bytes(4)) == doc_frame("find card, answer: found")
    assert idcard.answer(idcard.NONE_FOUND) == doc_frame("find card, answer: no card") \
        == hx("AAAAAA9669 0004 000080 84")
    assert idcard.answer(idcard.OK, bytes(8)) == doc_frame("select card, answer: ok")
    assert idcard.answer(idcard.SELECT_FAILED) == doc_frame("select card, answer: failed")
    assert idcard.answer(0x41) == doc_frame("read failed, answer")


def test_the_answers_measured_on_a_real_reader_decode():
    # NOTES.md, "ID-card readers (SAM serial protocol)"
    found = hx("AA AA AA 96 69 00 08 00 00 9F 00 00 00 00 97")
    selected = hx("AA AA AA 96 69 00 0C 00 00 90") + bytes(8) + hx("9C")
    d = idcard.Decoder()
    bodies = d.feed(found + selected)
    assert [idcard.parse_answer(b).sw3 for b in bodies] == [0x9F, 0x90]
    assert idcard.parse_answer(bodies[1]).data == bytes(8)
    assert found == idcard.answer(idcard.FOUND, bytes(4)) and selected == idcard.answer(idcard.OK, bytes(8))


def test_read_base_answer_is_1288_bytes_after_len_and_decodes_the_card():
    photo = bytes(range(256)) * 4
    frame = idcard.answer(idcard.OK, idcard.base_data(CARD, photo))
    assert frame[:10] == hx("AA AA AA 96 69 05 08 00 00 90")
    assert frame[10:14] == hx("01 00 04 00")
    assert len(frame) - 7 == 1288
    # name field: 张三 in UCS-2 LE, then 13 spaces (the document's example)
    assert frame[14:44] == hx("20 5F 09 4E") + hx("20 00") * 13
    assert frame[-1] == idcard.checksum(frame[5:-1])
    (body,) = idcard.Decoder().feed(frame)
    card = idcard.parse_base(idcard.parse_answer(body).data)
    assert (card.name, card.sex, card.birth, card.number, card.valid_to) == \
        ("张三", "1", "19491231", "11010519491231002X", "长期")
    assert card.address == CARD["address"] and card.authority == CARD["authority"]


def test_a_card_never_shows_its_number_or_name_in_a_log_line():
    card = idcard.Card(**CARD)
    assert "张三" not in repr(card) and "1101" not in repr(card) and "张三" not in str(card)


def test_a_bad_checksum_is_skipped_and_the_next_frame_found():
    good = idcard.answer(idcard.NONE_FOUND)
    broken = good[:-1] + bytes([good[-1] ^ 1])
    d = idcard.Decoder()
    assert d.feed(broken + good) == [good[7:-1]]
    assert d.bad == 1


def test_short_or_odd_bodies_parse_to_nothing():
    assert idcard.parse_answer(b"\x00\x00") is None
    assert idcard.parse_base(b"\x01") is None
    assert idcard.parse_base(hx("01 00 04 00") + bytes(10)) is None


bodies = st.binary(min_size=1, max_size=64) | st.just(b"\x00\x00\x90" + idcard.base_data(CARD))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000), st.lists(st.integers(1, 400), max_size=20))
def test_no_byte_stream_makes_the_decoder_raise(stream, cuts):
    d = idcard.Decoder()
    at = 0
    for n in cuts + [len(stream)]:
        for body in d.feed(stream[at:at + n]):
            a = idcard.parse_answer(body)
            if a is not None:
                idcard.parse_base(a.data)
        at += n
    assert len(d.buffer) <= idcard.MAX_LEN + 7


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.binary(max_size=40), bodies), min_size=1, max_size=6), st.binary(max_size=40),
       st.lists(st.integers(1, 97), min_size=1, max_size=30))
def test_every_valid_frame_in_garbage_is_found_exactly_once(parts, tail, cuts):
    stream = b"".join(garbage + idcard.frame(body) for garbage, body in parts) + tail
    # garbage that happens to hold a whole preamble could start a frame of its own: not what this checks
    assume(stream.count(idcard.PREAMBLE) == len(parts))
    d = idcard.Decoder()
    found, at, i = [], 0, 0
    while at < len(stream):
        n = cuts[i % len(cuts)]
        found += d.feed(stream[at:at + n])
        at, i = at + n, i + 1
    found += d.feed(b"")
    assert found == [body for _, body in parts]
