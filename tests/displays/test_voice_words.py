"""What an announcement says, as clip names: numbers read as people read them, tickets digit by digit."""
import pytest

from displays.voice import words
from displays.voice.pack import clip_file, clip_key


def said(keys, lang):
    """Clip names → the words they say (the manifest's text), for readable expectations."""
    m = words.manifest(lang)
    return "".join(m[k] if k in m else k.partition(":")[2] for k in keys) if not words.is_english(lang) \
        else " ".join(m[k] if k in m else k.partition(":")[2] for k in keys)


@pytest.mark.parametrize("n, zh, en", [
    (1, "一", "one"), (2, "二", "two"), (10, "十", "ten"), (11, "十一", "eleven"), (19, "十九", "nineteen"),
    (20, "二十", "twenty"), (21, "二十一", "twenty one"), (99, "九十九", "ninety nine"),
    (100, "一百", "one hundred"), (101, "一百零一", "one hundred one"), (110, "一百一十", "one hundred ten"),
    (111, "一百一十一", "one hundred eleven"), (250, "二百五十", "two hundred fifty"), (0, "零", "zero"),
])
def test_numbers_are_read_naturally(n, zh, en):
    assert said(words.read_number(n, "zh-CN"), "zh-CN") == zh
    assert said(words.read_number(n, "en-GB"), "en-GB") == en


@pytest.mark.parametrize("bad", [-1, 1000, 1.5, True, "3"])
def test_numbers_out_of_range_are_refused(bad):
    with pytest.raises(ValueError):
        words.read_number(bad, "zh-CN")


def test_a_ticket_is_read_one_character_at_a_time():
    assert words.spell("A011") == ["letter:A", "digit:0", "digit:1", "digit:1"]
    assert said(words.spell("b102"), "zh-CN") == "B一零二"


@pytest.mark.parametrize("lang, template, name, says", [
    ("zh-CN", "请{ticket}号到{window}办理", "11号窗口", "请A零零一号到十一号窗口办理"),
    ("zh-CN", "请{ticket}号到{n}号窗口", "11号窗口", "请A零零一号到十一号窗口"),
    ("zh-CN", "请{ticket}号到{window}办理", "综合窗口", "请A零零一号到综合窗口办理"),
    ("zh-CN", "请{ticket}号到{window}办理", None, "请A零零一号到十一号窗口办理"),
    ("zh-HK", "請{ticket}號到{n}號窗口辦理", "11号窗口", "請A零零一號到十一號窗口辦理"),
    ("en-US", "Number {ticket}, please go to window {n}", "11号窗口",
     "Number A zero zero one please go to window eleven"),
    ("en-US", "Number {ticket}, please go to {window}.", "11号窗口",
     "Number A zero zero one please go to window eleven"),
])
def test_a_template_becomes_its_clips(lang, template, name, says):
    assert said(words.announcement(template, lang, "A001", 11, name), lang) == says


@pytest.mark.parametrize("key", ["chime", "digit:0", "number:100", "letter:Z", "word:号窗口",
                                 "word:please go to window"])
def test_clip_names_and_file_names_go_both_ways(key):
    lang = "en-US" if "please" in key else "zh-CN"
    assert clip_key(clip_file(key), lang) == key


@pytest.mark.parametrize("name", ["digit-10.wav", "number-7.wav", "letter-a.wav", "word-.wav", "word-a:b.wav",
                                  "digit-1.mp3", "chime-.wav", "readme.wav"])
def test_file_names_that_are_no_clip(name):
    assert clip_key(name, "zh-CN") is None
