"""The reader driver (pyserial) against the simulated reader on a real pty pair."""
import queue

import pytest

from kiosk.idcard_reader import Reader
from kiosk.idcard_sim import SimReader
from tests.helpers import wait_until

ZHANG = {"name": "张三", "sex": "1", "nation": "01", "birth": "19491231", "address": "北京市朝阳区某某路1号",
         "number": "11010519491231002X", "authority": "北京市公安局朝阳分局", "valid_from": "20150101",
         "valid_to": "长期"}
LI = {**ZHANG, "name": "李四", "sex": "2", "birth": "19800101", "number": "110101198001011232"}


@pytest.fixture
def rig(tmp_path):
    sim = SimReader(tmp_path / "idreader").start()
    cards, statuses = queue.Queue(), []
    reader = Reader(str(tmp_path / "idreader"), on_card=cards.put,
                    on_status=lambda s, d: statuses.append(s), poll_s=0.02, answer_timeout_s=0.5,
                    reopen_min_s=0.05, reopen_max_s=0.2).start()
    yield sim, reader, cards, statuses
    reader.stop()
    sim.stop()


def polls(sim):
    return sim.requests.count((0x20, 0x01))


def test_a_card_held_on_the_reader_is_read_once_and_a_second_card_again(rig):
    sim, reader, cards, _ = rig
    sim.lay(ZHANG)
    card = cards.get(timeout=5)
    assert (card.number, card.name, card.birth) == ("11010519491231002X", "张三", "19491231")
    seen = polls(sim)
    wait_until(lambda: polls(sim) >= seen + 10, what="ten more polls with the card held")
    assert sim.reads == 1 and cards.empty()
    sim.remove()
    wait_until(lambda: not reader.present, what="the card taken away")
    sim.lay(LI)
    assert cards.get(timeout=5).name == "李四"
    sim.remove()
    wait_until(lambda: not reader.present, what="the card taken away")
    sim.lay(ZHANG)                                   # the same card laid again is read again
    assert cards.get(timeout=5).name == "张三"
    assert sim.reads == 3


def test_unplugged_reader_goes_offline_and_reads_again_once_replugged(rig):
    sim, reader, cards, statuses = rig
    wait_until(lambda: reader.status == "ok", what="the reader answering")
    sim.unplug()
    wait_until(lambda: reader.status == "offline", what="the unplug noticed")
    sim.lay(ZHANG)
    sim.replug()
    assert cards.get(timeout=5).name == "张三"
    assert statuses[:3] == ["ok", "offline", "ok"]
    assert reader.counters["opens"] >= 2


def test_garbage_on_the_line_does_not_stop_reading(rig):
    sim, reader, cards, _ = rig
    wait_until(lambda: reader.status == "ok", what="the reader answering")
    sim.inject(b"\xaa\xaa\x00\xff garbage \x96\x69")
    sim.lay(LI)
    assert cards.get(timeout=5).name == "李四"


def test_a_missing_port_is_retried_until_it_appears(tmp_path):
    cards = queue.Queue()
    reader = Reader(str(tmp_path / "later"), on_card=cards.put, poll_s=0.02, reopen_min_s=0.05,
                    reopen_max_s=0.1).start()
    try:
        wait_until(lambda: reader.status == "offline", what="the missing port noticed")
        sim = SimReader(tmp_path / "later").start()
        try:
            sim.lay(ZHANG)
            assert cards.get(timeout=5).number == "11010519491231002X"
        finally:
            sim.stop()
    finally:
        reader.stop()



def test_a_flush_on_a_dead_pty_is_an_unplug_not_a_crash():
    # seen on a real run: tcflush on a pty whose far end is gone raises termios.error (not an OSError)
    import termios
    from kiosk.idcard_reader import ReaderGone
    reader = Reader("loop://")
    reader._open()

    def dead():
        raise termios.error(5, "Input/output error")
    reader._ser.reset_input_buffer = dead
    with pytest.raises(ReaderGone):
        reader._ask((0x20, 0x01))
    reader._close()
