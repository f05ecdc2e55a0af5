"""Search by name, full pinyin or pinyin initials, computed on the server with pypinyin."""
import pytest

from kiosk.search import build_index, entry, search

ITEMS = [("marriage", "结婚登记", 3), ("marriage-cert", "补领婚姻登记证", 1), ("id-card", "居民身份证换领", 6),
         ("hukou-move", "户口迁移", 2), ("bank", "银行账户开户", 1), ("etc", "ETC办理（个人）", 1),
         ("heavy", "重型机动车驾驶证", 1)]


@pytest.fixture(scope="module")
def index():
    return build_index(ITEMS)


def test_initials_of_a_name():
    assert entry("x", "结婚登记").initials[0] == "jhdj"
    assert entry("x", "居民身份证换领").spelled[0] == "juminshenfenzhenghuanling"


@pytest.mark.parametrize("query, first", [("jhdj", "marriage"), ("JHDJ", "marriage"), ("jh", "marriage"),
                                         ("jmsfz", "id-card"), ("sfz", "id-card"), ("hkqy", "hukou-move"),
                                         ("jiehun", "marriage"), ("身份证", "id-card"), ("登记", "marriage"),
                                         ("etc", "etc"), ("j h d j", "marriage")])
def test_finds_by_initials_pinyin_or_name(index, query, first):
    assert search(index, query)[0] == first


def test_words_with_two_readings_match_either(index):
    # 行 in 银行 reads hang; 重 in 重型 reads zhong; a citizen may type either reading's initial
    assert "bank" in search(index, "yh")
    assert "heavy" in search(index, "zxjdc") and "heavy" in search(index, "cxjdc")


def test_more_requested_items_come_first_among_equals(index):
    assert search(index, "dj")[:2] == ["marriage", "marriage-cert"]


def test_nothing_for_nonsense_or_empty(index):
    assert search(index, "zzzz") == [] and search(index, "") == [] and search(index, "   ") == []
    assert search(index, "飞机") == []
