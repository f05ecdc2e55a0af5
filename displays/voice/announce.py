"""Announcements made on the hall: a call's words as one WAV file, cached by what it says.

An announcement is the chime, then the template's clips said `repeat` times with a pause between:

    chime · CHIME_GAP · clip GAP clip GAP … clip · REPEAT_PAUSE · clip GAP … clip

Its file is named by a digest of the clips it joins (their content, so a centre's new recording
gives a new name) and the repeats, so the same words give the same path, `/audio/<lang>/<name>.wav`,
and a screen may cache it for ever. The text → path memo answers a repeated call (a recall, the
same ticket at the same window) without touching a clip; the newest MAX_FILES files per language
stay on disk.

A call's path is known before its file exists: the name is a digest of the clips' digests. So the
call goes to the screens first and the file (joining the clips, about a millisecond) is written
after, by `flush()`; a screen that asks for it sooner gets it made on the spot. A process that
relays another's call (a message queue) makes the announcement too, for its own screens: with the
same clips it gets the same name; with others (a centre's own recordings uploaded to another
machine) the other's name is kept as an alias of its own (`alias`).
"""
import hashlib
import logging
import os
import threading
from collections import OrderedDict

import numpy as np

from . import words
from .pack import _write
from .wav import RATE, encode

log = logging.getLogger(__name__)

GAP_MS = 60             # between clips: digits read one by one stay apart, words flow
CHIME_GAP_MS = 250      # after the chime
REPEAT_PAUSE_MS = 800   # between two sayings of the sentence
MAX_FILES = 500         # per language on disk; a day's calls repeat, few screens fetch an old one
MEMO = 2000             # text → path entries kept in memory
URL_PREFIX = "/audio"


def _parts(path):
    """(lang, name) of an announcement's path, /audio/<lang>/<name>.wav."""
    lang, _, file = path[len(URL_PREFIX) + 1:].partition("/")
    return lang, file.removesuffix(".wav")


def _silence(ms):
    return np.zeros(RATE * ms // 1000, np.int16)


class Announcer:
    def __init__(self, packs, cache_dir):
        self.packs, self.cache_dir = packs, cache_dir
        self._memo = OrderedDict()
        self._pending = {}          # name → (lang, chime, clips, repeat): named, not yet on disk
        self._aliases = OrderedDict()   # (lang, another process's name) → ours for the same words
        self._lock = threading.Lock()
        self._written = 0

    def _file(self, lang, name):
        return os.path.join(self.cache_dir, lang, name + ".wav")

    def path_of(self, lang, name):
        """The file of a served announcement, made now if it is still to be written, or None
        (names are hex digests, nothing else)."""
        if lang not in words.LANGS or len(name) != 24 or any(c not in "0123456789abcdef" for c in name):
            return None
        name = self._aliases.get((lang, name), name)
        path = self._file(lang, name)
        if os.path.exists(path):
            return path
        with self._lock:
            job = self._pending.pop(name, None)
            if job is not None:
                self._write(name, *job)
        # written just now, here or by a flush that held the lock
        return path if os.path.exists(path) else None

    def alias(self, theirs, ours):
        """Serve `ours` (a path this announcer made) under `theirs`, another process's path for the
        same words."""
        (lang, their_name), (_, our_name) = _parts(theirs), _parts(ours)
        if their_name != our_name:
            with self._lock:
                self._aliases[(lang, their_name)] = our_name
                self._aliases.move_to_end((lang, their_name))
                while len(self._aliases) > MEMO:
                    self._aliases.popitem(last=False)

    def words(self, voice, ticket, window, window_name=None):
        return words.announcement(voice["template"], voice["lang"], ticket, window, window_name)

    def make(self, cid, voice, ticket, window, window_name=None):
        """The path of the call's announcement (its file is written by `flush()`, or when first asked
        for); None when no clip can be had."""
        lang, repeat = voice["lang"], int(voice.get("repeat") or 1)
        keys = tuple(self.words(voice, ticket, window, window_name))
        memo_key = (cid, self.packs.stamp(cid), lang, keys, repeat)
        hit = self._memo.get(memo_key)
        if hit is not None and (hit in self._pending or os.path.exists(self._file(lang, hit))):
            return f"{URL_PREFIX}/{lang}/{hit}.wav"
        with self._lock:
            name = self._name(cid, lang, keys, repeat)
            if name is None:
                return None
            self._memo[memo_key] = name
            self._memo.move_to_end(memo_key)
            while len(self._memo) > MEMO:
                self._memo.popitem(last=False)
        return f"{URL_PREFIX}/{lang}/{name}.wav"

    def flush(self):
        """Write the announcements named since the last flush (after their calls were pushed)."""
        while self._pending:
            with self._lock:
                if not self._pending:
                    return
                name, job = self._pending.popitem()
                self._write(name, *job)

    def _name(self, cid, lang, keys, repeat):
        """The announcement's name; its file is left to write when it is not on disk yet."""
        clips = []
        for key in keys:
            c = self.packs.clip(cid, lang, key)
            if c is None:
                log.warning("announcement for %s in %s says nothing for %s (no clip)", cid, lang, key)
            else:
                clips.append(c)
        if not clips:
            return None
        chime = self.packs.clip(cid, lang, words.CHIME)
        h = hashlib.sha256(f"{lang}|{repeat}|{GAP_MS}|{CHIME_GAP_MS}|{REPEAT_PAUSE_MS}".encode())
        for c in ([chime] if chime else []) + clips:
            h.update(c.digest.encode())
        name = h.hexdigest()[:24]
        path = self._file(lang, name)
        if os.path.exists(path):
            os.utime(path)          # in use again: not the oldest to prune
        else:
            self._pending[name] = (lang, chime, clips, repeat)
        return name

    def _write(self, name, lang, chime, clips, repeat):
        gap = _silence(GAP_MS)
        saying = []
        for i, c in enumerate(clips):
            saying += [gap, c.samples] if i else [c.samples]
        parts = [chime.samples, _silence(CHIME_GAP_MS)] if chime else []
        for r in range(repeat):
            parts += ([_silence(REPEAT_PAUSE_MS)] if r else []) + saying
        _write(self._file(lang, name), encode(np.concatenate(parts)))
        self._written += 1
        if self._written % 50 == 0:
            self._prune(lang)

    def _prune(self, lang):
        folder = os.path.join(self.cache_dir, lang)
        try:
            files = [e for e in os.scandir(folder) if e.name.endswith(".wav")]
        except OSError:
            return
        if len(files) <= MAX_FILES:
            return
        files.sort(key=lambda e: e.stat().st_mtime_ns)
        for e in files[: len(files) - MAX_FILES]:
            try:
                os.remove(e.path)
            except OSError:
                pass
