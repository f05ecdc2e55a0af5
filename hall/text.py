"""The hall's one message catalogue: every word a citizen or a member of staff reads, per language.

`hall/static/text/<lang>.json` holds it (zh-CN first, en second): namespaces ("kiosk", "status",
"refusal", …) of keys; a value is a string with {named} blanks, or a list or a table of them.
Python reads it here with `text("status.called", "en")`; pages get the namespaces they use
embedded once (hall.assets) and read them with hall/static/text.js. The core names codes and
facts, never words: a refusal's message is made here from its code (`refusal.<code>`).
"""
import json
import re
from functools import cache
from pathlib import Path

LANGS = ("zh-CN", "en")
DEFAULT = "zh-CN"
ROOT = Path(__file__).parent / "static" / "text"
BLANK = re.compile(r"\{(\w+)\}")


@cache
def catalogue(lang):
    """One language's whole catalogue (read once: it ships with the code and never changes)."""
    return json.loads((ROOT / f"{language(lang)}.json").read_text("utf-8"))


def language(lang):
    """'en', 'en-GB' → 'en'; anything else ('zh', 'zh-CN', None) → 'zh-CN': Chinese first."""
    return "en" if isinstance(lang, str) and lang.lower().startswith("en") else DEFAULT


def lookup(code, lang=DEFAULT):
    """The raw value of `namespace.key` in `lang`, else in Chinese, else None."""
    ns, _, key = code.partition(".")
    for each in (language(lang), DEFAULT):
        value = catalogue(each).get(ns, {}).get(key)
        if value is not None:
            return value
    return None


def fill(template, params):
    return BLANK.sub(lambda m: "" if params.get(m[1]) is None else str(params[m[1]]), template)


def text(code, lang=DEFAULT, **params):
    """The words for `code` in `lang` with the blanks filled; KeyError for a code the catalogue lacks."""
    value = lookup(code, lang)
    if value is None:
        raise KeyError(code)
    if isinstance(value, list):
        return [fill(v, params) for v in value]
    return fill(value, params) if isinstance(value, str) else value


def both(code, **params):
    """「中文 / English」: one string for answers read by clients of either language."""
    return f"{text(code, 'zh-CN', **params)} / {text(code, 'en', **params)}"


def refusal_message(refused):
    """A refusal's message: the catalogue's words for its code (both languages) when the refusal
    gives every fact they need, else the plain message written for developers. The fact
    `ticket_status` is put in words (status.<code>)."""
    words = lookup(f"refusal.{refused.code}")
    params = getattr(refused, "params", None) or {}
    if not isinstance(words, str) or not set(BLANK.findall(words)) <= set(params):
        return refused.message
    halves = []
    for lang in LANGS:
        facts = dict(params)
        if lookup(f"status.{facts.get('ticket_status')}") is not None:
            facts["ticket_status"] = text(f"status.{facts['ticket_status']}", lang)
        halves.append(text(f"refusal.{refused.code}", lang, **facts))
    return " / ".join(halves)


def namespaces(names):
    """The catalogue's `names` in every language, for a page to embed: {"zh-CN": {ns: …}, "en": …}."""
    return {lang: {ns: catalogue(lang)[ns] for ns in names} for lang in LANGS}


def json_for_page(names):
    return json.dumps(namespaces(names), ensure_ascii=False, separators=(",", ":"))
