"""The speech engines the package registries offer for the default voice pack, compared on what
can be measured: for each language's clips (displays/voice/words.py), the clip length after the
silence at its ends is trimmed, how much silence that was, the loudness (RMS dBFS) and the sample
rate; for Mandarin, whether each syllable is spoken with its tone (espeak-ng's phonemes, `-x`,
against pypinyin's tone numbers) or falls back to English letters. Candidates: espeak-ng (Debian;
Mandarin from characters, or from tone-numbered pinyin), and flite (Debian; English only) when
installed. Prints one JSON object.

    python bench/voice_engines.py
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from displays.voice import engine, words  # noqa: E402
from displays.voice.wav import dbfs, decode, trim  # noqa: E402

# espeak-ng's tone letters; a third tone before another tone is said half (21), before a third as
# a rising one (35): Mandarin's own tone sandhi
CONTOURS = {"1": ("55",), "2": ("35",), "3": ("214", "21", "35"), "4": ("51",)}


def espeak(voice, text):
    r = subprocess.run(["espeak-ng", "-v", voice, "--stdout"], input=text.encode(), capture_output=True, check=True)
    return engine._fix_stream_header(r.stdout)


def flite(text):
    with tempfile.NamedTemporaryFile(suffix=".wav") as f:
        subprocess.run(["flite", "-t", text, "-o", f.name], check=True, capture_output=True)
        return open(f.name, "rb").read()


def measure(clips):
    """clips: [wav bytes] → the figures of the set."""
    lengths, trimmed, loud, rates = [], [], [], set()
    for data in clips:
        x, rate = decode(data)
        t = trim(x, rate)
        lengths.append(len(t) / rate)
        trimmed.append((len(x) - len(t)) / rate * 1000)
        loud.append(dbfs(t))
        rates.add(rate)
    n = len(clips)
    return {"clips": n, "mean_s": round(sum(lengths) / n, 3), "max_s": round(max(lengths), 3),
            "silence_trimmed_ms_mean": round(sum(trimmed) / n, 1),
            "rms_dbfs_mean": round(sum(loud) / n, 1), "rms_dbfs_spread": round(max(loud) - min(loud), 1),
            "rate_hz": sorted(rates)}


def mandarin_tones(voice, texts, as_pinyin):
    """Share of syllables spoken with their tone, and of clips read out as English."""
    from pypinyin import Style, lazy_pinyin
    right = total = english = 0
    for text in texts:
        expected = [p[-1] for p in lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True)]
        given = engine.pinyin(text) if as_pinyin else text
        said = subprocess.run(["espeak-ng", "-q", "-x", "-v", voice], input=given.encode(),
                              capture_output=True, check=True).stdout.decode()
        english += "(en)" in said
        syllables = [s for s in re.split(r"[_| ]+", said) if s.strip()]
        total += len(expected)
        if len(syllables) == len(expected) and "(en)" not in said:
            right += sum(any(c in s for c in CONTOURS.get(t, ())) for s, t in zip(syllables, expected))
    return {"syllables_with_their_tone": round(right / total, 3), "clips_read_as_english": english}


def main():
    if not engine.available():
        sys.exit("espeak-ng is not installed (apt-get install espeak-ng)")
    zh = [k for k in words.manifest("zh-CN") if k.startswith(("digit", "number", "word"))]
    zh_text = [engine.engine_text("zh-CN", k)[1] for k in zh]                   # pinyin
    zh_chars = [words.manifest("zh-CN")[k] for k in zh]                          # characters
    out = {"engine_version": engine.version(), "candidates": {}}
    c = out["candidates"]
    c["espeak-ng cmn (characters)"] = {**measure([espeak("cmn", t) for t in zh_chars]),
                                       **mandarin_tones("cmn", zh_chars, as_pinyin=False)}
    c["espeak-ng cmn-latn-pinyin (pypinyin)"] = {**measure([espeak("cmn-latn-pinyin", t) for t in zh_text]),
                                                 **mandarin_tones("cmn-latn-pinyin", zh_chars, as_pinyin=True)}
    spoken = ("digit", "number", "word")
    yue = [engine.engine_text("zh-HK", k)[1] for k in words.manifest("zh-HK") if k.startswith(spoken)]
    c["espeak-ng yue"] = measure([espeak("yue", t) for t in yue])
    en = [engine.engine_text("en-US", k)[1] for k in words.manifest("en-US") if k.startswith(spoken)]
    c["espeak-ng en-us"] = measure([espeak("en-us", t) for t in en])
    if shutil.which("flite"):
        c["flite kal (English only)"] = measure([flite(t) for t in en])
    out["chosen"] = {lang: f"espeak-ng {v}" for lang, v in engine.VOICES.items()}
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
