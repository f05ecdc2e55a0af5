"""The `voice` entry of a centre's catalogue: what the hall's screens say, and in which language."""
import pytest

from hall.core.config import ConfigError, normalize_center
from tests.helpers import small_center


def voice_of(**voice):
    return normalize_center(small_center("east", voice=voice) if voice else small_center("east"))["voice"]


def test_mandarin_twice_by_default():
    assert voice_of() == {"template": "请{ticket}号到{window}办理", "lang": "zh-CN", "repeat": 2}


def test_each_language_has_its_own_default_sentence():
    assert voice_of(lang="zh-HK")["template"] == "請{ticket}號到{n}號窗口辦理"
    assert voice_of(lang="en-GB", repeat=1) == {"template": "Number {ticket}, please go to window {n}",
                                                "lang": "en-GB", "repeat": 1}


def test_a_normalized_entry_normalizes_to_itself():
    once = normalize_center(small_center("east", voice={"template": "{ticket}号请到{n}号窗口", "repeat": 3}))
    assert normalize_center(once) == once


@pytest.mark.parametrize("voice, says", [
    ({"template": "请到窗口办理"}, "must contain {ticket}"),
    ({"template": "请{ticket}号办理"}, "and {window} or {n}"),          # the window is always spoken
    ({"template": "请{ticket}号到{room}办理"}, "may use only"),
    ({"template": "请{ticket}号到{n}号窗口 }"}, "may use only"),
    ({"lang": "fr-FR"}, "lang: must be one of zh-CN, zh-HK, en-US, en-GB"),
    ({"repeat": 0}, "repeat: expected a whole number in 1..5"),
    ({"volume": 9}, "unknown field(s) volume"),
])
def test_bad_voice_settings_are_refused_with_the_path(voice, says):
    with pytest.raises(ConfigError) as e:
        voice_of(**voice)
    assert says in str(e.value) and "center east.voice" in str(e.value)
