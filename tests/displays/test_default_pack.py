"""The default pack, made here by espeak-ng (scripts/test installs it): its Mandarin keeps every
syllable's tone, and a Mandarin, a Cantonese and an English announcement are saved under
test-artifacts/voice/ for a person to hear, with their lengths and loudness."""
import json
import os
import subprocess

import numpy as np
import pytest

from displays.voice import engine, words
from displays.voice.wav import dbfs, decode
from hall import catalog
from hall.app import create_app
from tests.helpers import small_center

from .conftest import ARTIFACTS

# espeak-ng's Mandarin tone letters; a third tone before another is said half (21): tone sandhi
TONE_CONTOURS = {"1": ("55",), "2": ("35",), "3": ("214", "21"), "4": ("51",)}
WINDOWS = [{"number": 11, "name": "11号窗口", "queues": ["general"]}]
CENTRES = {"zh-CN": "请{ticket}号到{window}办理", "zh-HK": "請{ticket}號到{n}號窗口辦理",
           "en-US": "Number {ticket}, please go to window {n}"}


def phonemes(voice, text):
    return subprocess.run(["espeak-ng", "-q", "-x", "-v", voice], input=text.encode(), capture_output=True,
                          check=True).stdout.decode()


@pytest.mark.parametrize("key", [f"digit:{d}" for d in range(10)] + ["number:10", "number:100", "word:请",
                                                                      "word:号到", "word:号窗口",
                                                                      "word:办理", "word:请到"])
def test_mandarin_clips_are_spoken_with_their_tones(key):
    assert engine.available(), "espeak-ng is missing: scripts/test installs it (apt-get install espeak-ng)"
    voice, text = engine.engine_text("zh-CN", key)
    said = phonemes(voice, text)
    assert "(en)" not in said                            # never read out as English letters
    tones = [syllable[-1] for syllable in text.split()]
    heard = [c for c in said.replace("_|", " ").split() if c]
    assert len(heard) == len(tones)
    for syllable, tone in zip(heard, tones):
        assert any(c in syllable for c in TONE_CONTOURS[tone]), f"{key}: {syllable} is not tone {tone}"


@pytest.fixture(scope="module")
def made():
    """One call in each language from the default pack, saved for a person to hear."""
    assert engine.available(), "espeak-ng is missing: scripts/test installs it (apt-get install espeak-ng)"
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATA_DIR": tmp, "SECRET_KEY": "s"})
        hall = app.extensions["hall"]
        centres = [small_center(lang.lower(), windows=WINDOWS, voice={"lang": lang, "template": t, "repeat": 2})
                   for lang, t in CENTRES.items()]
        catalog.load(hall, catalog.parse({"centers": [{**c, "hours": None} for c in centres]}))
        out, client = {}, app.test_client()
        folder = os.path.join(ARTIFACTS, "voice")
        os.makedirs(folder, exist_ok=True)
        for lang in CENTRES:
            cid = lang.lower()
            screen = app.extensions["socketio"].test_client(app, auth={"center": cid})
            hall.execute(cid, "issue", {"queue": "general"})
            hall.execute(cid, "open", {"window": 11})
            screen.get_received()
            hall.execute(cid, "call-next", {"window": 11})
            [call] = [m["args"][0] for m in screen.get_received() if m["name"] == "call"]
            data = client.get(call["audio"]).data
            with open(os.path.join(folder, f"{lang}-A001-window-11.wav"), "wb") as f:
                f.write(data)
            x, rate = decode(data, max_s=None)
            out[lang] = {"file": f"test-artifacts/voice/{lang}-A001-window-11.wav", "seconds": round(len(x) / rate, 2),
                         "rms_dbfs": round(dbfs(x), 1), "peak_dbfs": round(float(20 * np.log10(np.max(np.abs(x)))), 1),
                         "engine": engine.version(), "voice": engine.VOICES[lang],
                         "says": " ".join(words.announcement(CENTRES[lang], lang, "A001", 11, "11号窗口"))}
            screen.disconnect()
        with open(os.path.join(folder, "recordings.json"), "w") as f:
            json.dump(out, f, ensure_ascii=False, indent=1)
        hall.store.close()
    return out


@pytest.mark.parametrize("lang", list(CENTRES))
def test_an_announcement_from_the_default_pack_is_saved_for_a_person_to_hear(made, lang):
    rec = made[lang]
    # two sayings of the sentence after the chime: a few seconds each, not a clipped blur, not a drawl
    assert 5.0 <= rec["seconds"] <= 16.0, rec
    assert -26.0 <= rec["rms_dbfs"] <= -16.0, rec          # clips are levelled to -20 dBFS when made
    assert rec["peak_dbfs"] < -0.1, rec                     # nothing clips
    assert os.path.getsize(os.path.join(ARTIFACTS, "voice", f"{lang}-A001-window-11.wav")) > 0
