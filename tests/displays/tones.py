"""A voice pack of pure tones, one frequency per clip, and the ear that hears it back: an
announcement is cut at its silences and each piece named by its strongest frequency (FFT)."""
import io
import os
import wave
import zipfile

import numpy as np

from displays.voice import words
from displays.voice.pack import clip_file
from displays.voice.wav import RATE, decode, encode

CLIP_S = 0.12
LANG = "zh-CN"


def frequencies(lang=LANG, offset=0):
    """{clip name: Hz}: 400, 460, 520 … apart by 60 Hz (a 120 ms tone's FFT bins are 8 Hz)."""
    return {k: 400.0 + 60 * (i + offset) for i, k in enumerate(sorted(words.manifest(lang)))}


def tone(freq, seconds=CLIP_S, rate=RATE):
    t = np.arange(int(rate * seconds)) / rate
    return encode(0.3 * np.sin(2 * np.pi * freq * t), rate)


def write_pack(root, freqs, lang=LANG):
    os.makedirs(os.path.join(root, lang), exist_ok=True)
    for key, f in freqs.items():
        with open(os.path.join(root, lang, clip_file(key)), "wb") as out:
            out.write(tone(f))
    with open(os.path.join(root, "manifest.json"), "w") as out:
        out.write("{}")
    return root


def zip_of(files):
    """A zip in memory: {name in zip: bytes}."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


def segments(data, floor=0.01):
    """[(start_s, end_s, samples)] of the sounding stretches of a WAV (10 ms frames above `floor` RMS)."""
    x, rate = decode(data, max_s=None)
    assert rate == RATE
    frame = rate // 100
    n = len(x) // frame
    loud = np.sqrt(np.mean(np.square(x[: n * frame].reshape(n, frame)), axis=1)) > floor
    out, start = [], None
    for i, on in enumerate(list(loud) + [False]):
        if on and start is None:
            start = i
        elif not on and start is not None:
            out.append((start * frame / rate, i * frame / rate, x[start * frame: i * frame]))
            start = None
    return out


def strongest(samples, rate=RATE):
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[np.argmax(spectrum)])


def heard(data, freqs):
    """The clip names an announcement says, in order, with each piece's (start, end) in seconds."""
    by_freq = sorted((f, k) for k, f in freqs.items())
    out = []
    for start, end, x in segments(data):
        f = strongest(x)
        nearest = min(by_freq, key=lambda fk: abs(fk[0] - f))
        assert abs(nearest[0] - f) < 20, f"a piece at {f:.0f} Hz is no clip's tone"
        out.append((nearest[1], start, end))
    return out


def wav_seconds(data):
    with wave.open(io.BytesIO(data)) as w:
        return w.getnframes() / w.getframerate()
