"""PCM WAV in and out, and the few things a clip needs before it is joined: mono at one rate,
silence trimmed, one loudness. Announcements stay PCM WAV: every browser plays it, and a test
decodes it exactly."""
import io
import math
import wave
from fractions import Fraction

import numpy as np

RATE = 16000                # speech needs no more; a third less to fetch than espeak-ng's 22,050
TARGET_DBFS = -20.0         # every clip's loudness (RMS of its voiced part), so joined clips sound even
SILENCE_DBFS = -45.0        # quieter than this at a clip's edges is trimmed
MAX_CLIP_S = 10.0


class BadAudio(ValueError):
    """Bytes that are not a PCM WAV clip we can use."""


def dbfs(samples):
    """RMS level in dB relative to full scale (float samples in [-1, 1])."""
    if len(samples) == 0:
        return -math.inf
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20 * math.log10(rms) if rms > 0 else -math.inf


def decode(data, max_s=MAX_CLIP_S):
    """(float32 mono samples, rate) of a PCM WAV (8/16/24/32-bit integers), at most `max_s` long."""
    try:
        with wave.open(io.BytesIO(data)) as w:
            channels, width, rate, frames = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            raw = w.readframes(frames)
    except (wave.Error, EOFError, ValueError) as e:
        raise BadAudio(f"not a PCM WAV file ({e})") from None
    if not 1 <= channels <= 2:
        raise BadAudio(f"{channels} channels; a clip is mono or stereo")
    if not 8000 <= rate <= 96000:
        raise BadAudio(f"sample rate {rate} Hz; use 8,000–96,000 Hz")
    if max_s is not None and frames / rate > max_s:
        raise BadAudio(f"{frames / rate:.1f} s long; a clip is at most {max_s:g} s")
    if width == 1:
        x = (np.frombuffer(raw, np.uint8).astype(np.float32) - 128) / 128
    elif width == 2:
        x = np.frombuffer(raw, "<i2").astype(np.float32) / 32768
    elif width == 3:
        b = np.frombuffer(raw, np.uint8).reshape(-1, 3).astype(np.int32)
        x = ((b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)) << 8 >> 8).astype(np.float32) / 8388608
    elif width == 4:
        x = np.frombuffer(raw, "<i4").astype(np.float32) / 2147483648
    else:
        raise BadAudio(f"{8 * width}-bit samples")
    x = x[: len(x) - len(x) % channels].reshape(-1, channels).mean(axis=1)
    return x, rate


def encode(samples, rate=RATE):
    """16-bit mono PCM WAV bytes of float samples in [-1, 1], or of 16-bit samples as they are."""
    samples = np.asarray(samples)
    if samples.dtype == np.int16:
        pcm = samples.astype("<i2", copy=False)
    else:
        pcm = np.clip(np.round(samples.astype(np.float32) * 32767), -32768, 32767).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return out.getvalue()


def resample(x, rate, to=RATE):
    if rate == to:
        return x
    from scipy.signal import resample_poly     # a polyphase filter: no aliasing from 44.1 kHz down
    f = Fraction(to, rate).limit_denominator(1000)
    return resample_poly(x, f.numerator, f.denominator).astype(np.float32)


def trim(x, rate=RATE, floor_dbfs=SILENCE_DBFS, keep_ms=15):
    """Cut the silence at both ends (10 ms frames quieter than the floor), keeping a short margin."""
    frame = max(1, rate // 100)
    n = len(x) // frame
    if n == 0:
        return x
    rms = np.sqrt(np.mean(np.square(x[: n * frame].reshape(n, frame), dtype=np.float64), axis=1))
    loud = np.nonzero(rms > 10 ** (floor_dbfs / 20))[0]
    if len(loud) == 0:
        return x[:0]
    keep = rate * keep_ms // 1000
    return x[max(0, loud[0] * frame - keep): min(len(x), (loud[-1] + 1) * frame + keep)]


def level(x, target_dbfs=TARGET_DBFS, peak=0.95):
    """Scale to the target loudness, never past the peak."""
    now = dbfs(x)
    if not math.isfinite(now):
        return x
    gain = 10 ** ((target_dbfs - now) / 20)
    top = float(np.max(np.abs(x))) if len(x) else 0.0
    if top * gain > peak:
        gain = peak / top
    return (x * gain).astype(np.float32)


def prepare(data):
    """Any usable WAV clip → pack form: mono, RATE, silence trimmed, levelled (WAV bytes)."""
    x, rate = decode(data)
    x = trim(resample(x, rate))
    if len(x) < RATE // 50:
        raise BadAudio(f"silent: nothing louder than {SILENCE_DBFS:g} dBFS")
    return encode(level(x))


def chime(rate=RATE):
    """The pack's default chime: a two-note 叮咚 (E5 then C5), soft at both ends."""
    parts = []
    for freq, dur in ((659.3, 0.35), (523.3, 0.55)):
        t = np.arange(int(rate * dur)) / rate
        env = np.minimum(1.0, t / 0.01) * np.exp(-t * 4.0)
        parts.append((np.sin(2 * np.pi * freq * t) * env).astype(np.float32))
    return encode(level(np.concatenate(parts), target_dbfs=-18.0), rate)
