"""The default pack's voice: Debian's espeak-ng, run on the hall (no online service).

Measured on espeak-ng 1.51 (`python bench/voice_engines.py`, README): its `cmn` voice lacks most
of Mandarin's dictionary and reads common characters as English pinyin ("一" → "yi one", tones
lost), while the same engine given tone-numbered pinyin (pypinyin) with the `cmn-latn-pinyin`
voice speaks every syllable with its tone. Cantonese (`yue`) reads characters as Jyutping with
its tones; English uses `en-us` / `en-gb`. Letters in Mandarin are read by `cmn` (Latin as
English).
"""
import os
import shutil
import subprocess

from . import words
from .wav import prepare

VOICES = {"zh-CN": "cmn-latn-pinyin", "zh-HK": "yue", "en-US": "en-us", "en-GB": "en-gb"}
LETTER_VOICES = {"zh-CN": "cmn"}
SPEED = {"zh-CN": 175, "zh-HK": 165, "en-US": 160, "en-GB": 160}      # words a minute
NAME = "espeak-ng"


class NoEngine(RuntimeError):
    """espeak-ng is not installed here (Debian: apt-get install espeak-ng)."""


def available():
    return shutil.which(NAME) is not None


def version():
    if not available():
        return None
    out = subprocess.run([NAME, "--version"], capture_output=True, text=True, timeout=10).stdout
    return " ".join(out.split()[:4])


def engine_text(lang, key):
    """(espeak voice, text) for a clip name."""
    kind, _, value = key.partition(":")
    if kind == "letter":
        return LETTER_VOICES.get(lang, VOICES[lang]), value
    if kind == "digit":
        text = words.digit_text(lang, int(value))
    elif kind == "number":
        text = words.number_words(lang)[int(value)]
    elif kind == "word":
        text = value
    else:
        raise ValueError(f"the engine does not make {key!r}")
    if lang == "zh-CN":
        text = pinyin(text)
    return VOICES[lang], text


def pinyin(text):
    from pypinyin import Style, lazy_pinyin
    return " ".join(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True))


def synthesize(lang, key):
    """A clip in pack form (WAV bytes), spoken by espeak-ng."""
    if not available():
        raise NoEngine("espeak-ng is not installed (apt-get install espeak-ng)")
    voice, text = engine_text(lang, key)
    # text on stdin, never on the command line: a template's words cannot become options
    r = subprocess.run([NAME, "-v", voice, "-s", str(SPEED[lang]), "--stdout"], input=text.encode(),
                       capture_output=True, timeout=30)
    if r.returncode != 0 or not r.stdout:
        raise NoEngine(f"espeak-ng failed for {key!r}: {r.stderr.decode(errors='replace')[:200]}")
    return prepare(_fix_stream_header(r.stdout))


def _fix_stream_header(data):
    """espeak-ng --stdout cannot seek back, so its RIFF and data sizes say 'unknown' (0x7fffffff
    or 0); write the real ones."""
    data = bytearray(data)
    if data[:4] == b"RIFF" and data[36:40] == b"data":
        data[4:8] = (len(data) - 8).to_bytes(4, "little")
        data[40:44] = (len(data) - 44).to_bytes(4, "little")
    return bytes(data)


def describe():
    """What made the default pack, for its manifest and the managers' page."""
    return {"engine": version() or NAME, "voices": dict(VOICES), "letters": dict(LETTER_VOICES),
            "speed_wpm": dict(SPEED), "pinyin": "pypinyin (zh-CN)"}


def recipe():
    """What the default pack's clips depend on: a pack made another way is made again."""
    from .wav import RATE, TARGET_DBFS
    return {"engine": version(), "voices": VOICES, "letters": LETTER_VOICES, "speed_wpm": SPEED,
            "rate": RATE, "level_dbfs": TARGET_DBFS}


def workers():
    return max(1, min(4, os.cpu_count() or 1))
