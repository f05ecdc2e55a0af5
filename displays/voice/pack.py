"""Voice packs: folders of clips, a centre's own recorded clips over the default ones.

A pack is one folder per language, one WAV file per clip (names in `words.manifest`):

    <pack>/manifest.json          what made it (the default pack: engine, voices), and its clips
    <pack>/zh-CN/chime.wav        the chime before each announcement
    <pack>/zh-CN/digit-0.wav      零 … digit-9.wav 九     (ticket digits, and numbers' digits)
    <pack>/zh-CN/number-10.wav    十, number-100.wav 百  (English: number-10 … number-19, number-20 …
                                                           number-90, number-100 "hundred")
    <pack>/zh-CN/letter-A.wav     A … letter-Z.wav
    <pack>/zh-CN/word-请.wav      the words of templates and window names, named by their text

Clips are looked up clip by clip: the centre's own pack (uploaded by a manager as a zip of the
same layout), then the default pack; a clip in neither is made by the engine into the default
pack (a word a new template brings), else left out of the announcement.
"""
import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import engine, words
from .wav import RATE, BadAudio, chime, decode, prepare

log = logging.getLogger(__name__)

ZIP_MAX_BYTES = 32 * 1024 * 1024
ZIP_MAX_FILES = 400
CLIP_MAX_BYTES = 4 * 1024 * 1024
IGNORED = ("__MACOSX/", ".")
BAD_NAME_CHARS = set('/\\\0:*?"<>|')


class BadPack(ValueError):
    """An uploaded pack refused whole; `problems` lists what is wrong with which file."""

    def __init__(self, problems):
        super().__init__("; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""))
        self.problems = problems


def clip_file(key):
    """digit:0 → digit-0.wav, word:号到 → word-号到.wav"""
    kind, sep, value = key.partition(":")
    return f"{kind}-{value}.wav" if sep else f"{key}.wav"


def clip_key(filename, lang):
    """The clip name of a file in a pack, or None when it names no clip of the language."""
    if not filename.endswith(".wav"):
        return None
    stem = filename[:-4]
    if stem == words.CHIME:
        return words.CHIME
    kind, sep, value = stem.partition("-")
    if not sep or not value:
        return None
    key = f"{kind}:{value}"
    if kind == "word":
        return key if not (set(value) & BAD_NAME_CHARS) and len(value) <= 40 else None
    return key if key in words.manifest(lang) else None


def _safe(key):
    _, _, value = key.partition(":")
    return not (set(value) & BAD_NAME_CHARS) and value not in (".", "..") and len(value) <= 40


class Clip:
    __slots__ = ("samples", "digest", "source")

    def __init__(self, samples, digest, source):
        self.samples, self.digest, self.source = samples, digest, source


class Packs:
    """The default pack and the centres' own, with the clips read so far kept in memory."""

    def __init__(self, default_dir, own_dir, make_missing=True):
        self.default_dir, self.own_dir = default_dir, own_dir
        self.make_missing = make_missing and engine.available()
        self._clips = {}            # (file, mtime_ns) → Clip
        self._lock = threading.Lock()

    # --- where clips are ---
    def own_root(self, cid):
        return os.path.join(self.own_dir, cid)

    def stamp(self, cid):
        """Changes whenever the centre's own pack does (any process may have installed it)."""
        try:
            return os.stat(os.path.join(self.own_root(cid), "manifest.json")).st_mtime_ns
        except OSError:
            return 0

    def clip(self, cid, lang, key):
        """The Clip to say `key` for centre `cid`, or None when there is none and none can be made."""
        if not _safe(key):
            return None
        name = clip_file(key)
        for root, source in ((self.own_root(cid), "own"), (self.default_dir, "default")):
            found = self._read(os.path.join(root, lang, name), source)
            if found is not None:
                return found
        made = self._make(lang, key)
        return self._read(made, "default") if made else None

    def source(self, cid, lang, key):
        name = clip_file(key)
        if os.path.exists(os.path.join(self.own_root(cid), lang, name)):
            return "own"
        if os.path.exists(os.path.join(self.default_dir, lang, name)):
            return "default"
        return "missing"

    def _read(self, path, source):
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return None
        hit = self._clips.get((path, mtime))
        if hit is not None:
            return hit
        with open(path, "rb") as f:
            data = f.read()
        try:
            x, rate = decode(data)
        except BadAudio:
            log.warning("voice clip %s is not a usable WAV; skipped", path)
            return None
        if rate != RATE:
            data = prepare(data)
            x, _ = decode(data)
        clip = Clip((x * 32767).astype(np.int16), hashlib.sha256(data).hexdigest()[:16], source)
        self._clips[(path, mtime)] = clip
        return clip

    def _make(self, lang, key):
        """Make a missing clip into the default pack (the engine for words, numpy for the chime)."""
        if key != words.CHIME and not self.make_missing:
            return None
        path = os.path.join(self.default_dir, lang, clip_file(key))
        try:
            data = chime() if key == words.CHIME else engine.synthesize(lang, key)
        except (engine.NoEngine, BadAudio, ValueError, OSError) as e:
            log.warning("no clip %s for %s: %s", key, lang, e)
            return None
        _write(path, data)
        return path

    # --- the default pack ---
    def default_ready(self):
        """The default pack is there, and was made the way this version makes it — or by someone
        else (a manifest not ours: a vendor's or a hall's own pack put in its place is kept)."""
        try:
            with open(os.path.join(self.default_dir, "manifest.json"), encoding="utf-8") as f:
                made = json.load(f)
        except (OSError, ValueError):
            return False
        if not isinstance(made, dict) or made.get("name") != "default":
            return True
        return made.get("recipe") == engine.recipe()

    def build_default(self, langs=words.LANGS):
        """Make the whole default pack in a new folder, then put it in place of the old one."""
        if not engine.available():
            raise engine.NoEngine("espeak-ng is not installed (apt-get install espeak-ng); "
                                  "the default voice pack cannot be built")
        parent = os.path.dirname(os.path.abspath(self.default_dir))
        os.makedirs(parent, exist_ok=True)
        fresh = tempfile.mkdtemp(prefix=".voice-pack-", dir=parent)
        todo = [(lang, key) for lang in langs for key in words.manifest(lang)]

        def one(item):
            lang, key = item
            data = chime() if key == words.CHIME else engine.synthesize(lang, key)
            _write(os.path.join(fresh, lang, clip_file(key)), data)
        try:
            with ThreadPoolExecutor(engine.workers()) as pool:
                list(pool.map(one, todo))
            manifest = {"name": "default", **engine.describe(), "recipe": engine.recipe(),
                        "langs": {lang: words.manifest(lang) for lang in langs}}
            _write(os.path.join(fresh, "manifest.json"), json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            with self._lock:
                old = fresh + ".old"
                if os.path.exists(self.default_dir):
                    os.replace(self.default_dir, old)
                os.replace(fresh, self.default_dir)
                shutil.rmtree(old, ignore_errors=True)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
        return len(todo)

    # --- a centre's own pack ---
    def install(self, cid, data, user=None):
        """Replace the centre's own pack by the clips of a zip; nothing changes if any is bad."""
        clips = read_zip(data)
        root = self.own_root(cid)
        os.makedirs(self.own_dir, exist_ok=True)
        fresh = tempfile.mkdtemp(prefix=f".{cid}-", dir=self.own_dir)
        for (lang, key), wav in clips.items():
            _write(os.path.join(fresh, lang, clip_file(key)), wav)
        summary = {"clips": {lang: sorted(k for (lg, k) in clips if lg == lang) for lang in {lg for lg, _ in clips}},
                   "by": user}
        _write(os.path.join(fresh, "manifest.json"), json.dumps(summary, ensure_ascii=False, indent=1).encode())
        with self._lock:
            old = root + ".old"
            shutil.rmtree(old, ignore_errors=True)
            if os.path.exists(root):
                os.replace(root, old)
            os.replace(fresh, root)
            shutil.rmtree(old, ignore_errors=True)
        return {lang: len(keys) for lang, keys in summary["clips"].items()}

    def remove(self, cid):
        with self._lock:
            root = self.own_root(cid)
            existed = os.path.exists(root)
            shutil.rmtree(root, ignore_errors=True)
        return existed


def read_zip(data):
    """{(lang, key): pack-form WAV} of an uploaded pack; BadPack listing every problem."""
    if len(data) > ZIP_MAX_BYTES:
        raise BadPack([f"the zip is larger than {ZIP_MAX_BYTES // (1024 * 1024)} MB"])
    try:
        z = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in z.infolist() if not i.is_dir()
                 and not any(part.startswith(IGNORED) for part in i.filename.split("/"))]
    except (zipfile.BadZipFile, ValueError, EOFError) as e:
        raise BadPack([f"not a zip file ({e})"]) from None
    if not infos:
        raise BadPack(["the zip holds no clips"])
    if len(infos) > ZIP_MAX_FILES:
        raise BadPack([f"{len(infos)} files; a pack has at most {ZIP_MAX_FILES}"])
    names = [i.filename for i in infos]
    # a zipped folder: mypack/zh-CN/digit-0.wav
    tops = {n.split("/")[0] for n in names}
    strip = len(tops) == 1 and next(iter(tops)) not in words.LANGS and all("/" in n for n in names)
    problems, clips = [], {}
    for info in infos:
        name = info.filename.split("/", 1)[1] if strip else info.filename
        parts = name.split("/")
        if len(parts) == 1 and parts[0] in ("manifest.json", "README.md", "README.txt"):
            continue
        if len(parts) != 2 or parts[0] not in words.LANGS:
            problems.append(f"{info.filename}: put clips in a language folder ({', '.join(words.LANGS)})")
            continue
        lang, fname = parts
        key = clip_key(fname, lang)
        if key is None:
            problems.append(f"{info.filename}: no clip is named {fname!r} (see the manifest)")
            continue
        if info.file_size > CLIP_MAX_BYTES:
            problems.append(f"{info.filename}: larger than {CLIP_MAX_BYTES // (1024 * 1024)} MB")
            continue
        try:
            clips[(lang, key)] = prepare(z.read(info))
        except BadAudio as e:
            problems.append(f"{info.filename}: {e}")
        except (zipfile.BadZipFile, RuntimeError, ValueError, EOFError, NotImplementedError) as e:
            problems.append(f"{info.filename}: cannot be read from the zip ({e})")
    if problems:
        raise BadPack(problems)
    return clips


def _write(path, data):
    """Whole or not at all: other processes may read the pack while it is written."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp-")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
