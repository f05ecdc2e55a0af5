"""Find a service item by its name, its full pinyin or its pinyin initials ("jhdj" → 结婚登记).

The index is computed on the server with pypinyin, once per catalogue: a kiosk has no input
method, so citizens type Latin letters on the screen's keyboard, and older citizens often know
only the initials. Words read more than one way (重, 行, 长) match every reading.
"""
import re
from dataclasses import dataclass

from pypinyin import Style, lazy_pinyin, pinyin

MAX_READINGS = 32              # readings kept per name


@dataclass(frozen=True)
class Entry:
    id: str
    name: str
    initials: tuple            # e.g. ("jhdj",); one per reading
    spelled: tuple             # e.g. ("jiehundengji",)
    weight: float


def _readings(name, style):
    """Every way to read the name in this style: the phrase-aware reading first, then each
    character's other readings (pypinyin's phrase mode gives only one for 重型 or 银行)."""
    phrase = lazy_pinyin(name, style=style, errors=lambda s: list(s))
    if len(phrase) != len(name):
        phrase = [None] * len(name)
    choices = []
    for ch, first in zip(name, phrase):
        if not ch.isascii() and pinyin(ch, style=style, heteronym=True, errors="ignore"):
            options = [first] + pinyin(ch, style=style, heteronym=True)[0]
        else:
            options = [ch]
        options = [o.lower() for o in options if o and re.fullmatch(r"[a-z0-9]+", o.lower())]
        choices.append(list(dict.fromkeys(options)) or [""])
    # the phrase reading, then every reading that differs from it in one character: a citizen who
    # reads one word "wrong" (or right, where pypinyin did not) still finds the item
    base = [c[0] for c in choices]
    out = ["".join(base)]
    for i, options in enumerate(choices):
        for alt in options[1:]:
            out.append("".join(base[:i] + [alt] + base[i + 1:]))
    return tuple(dict.fromkeys(out))[:MAX_READINGS]


def entry(item_id, name, weight=1):
    return Entry(item_id, name, _readings(name, Style.FIRST_LETTER), _readings(name, Style.NORMAL), weight)


def build_index(items):
    """items: (id, name, weight) triples."""
    return [entry(i, n, w) for i, n, w in items]


def _score(e, q):
    if any(s.startswith(q) for s in e.initials):
        return 6
    if any(s.startswith(q) for s in e.spelled):
        return 5
    if any(q in s for s in e.initials):
        return 4
    if len(q) >= 3 and any(q in s for s in e.spelled):
        return 3
    return 0


def search(index, query, limit=30):
    """Ids of the entries that match, best first (then by how often the item is asked for)."""
    q = re.sub(r"\s+", "", query or "").lower()
    if not q:
        return []
    hits = []
    for e in index:
        if q in e.name.lower():
            score = 8 if e.name.startswith(q) else 7
        elif re.fullmatch(r"[a-z0-9]+", q):
            score = _score(e, q)
        else:
            score = 0
        if score:
            hits.append((-score, -e.weight, e.name, e.id))
    return [h[3] for h in sorted(hits)[:limit]]
