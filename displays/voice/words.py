"""What an announcement says, as the clip names of a voice pack (pure: no files, no engine).

「请A001号到11号窗口办理」 in Mandarin becomes
    word:请  letter:A  digit:0  digit:0  digit:1  word:号到  number:10  digit:1  word:号窗口  word:办理
A ticket's digits are read one by one (A零零一); a window's number is read as a number, naturally:
11 → 十一 (number:10 digit:1), never 一一. English reads 11 as "eleven" and 21 as
"twenty one". The words of the centre's template between its fields are clips of their own.
"""
import re

LANGS = ("zh-CN", "zh-HK", "en-US", "en-GB")
LETTERS = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
MAX_NUMBER = 999
CHIME = "chime"

# what each numeric clip says, per language family; a hall that records its own pack reads this list
ZH_DIGITS = "零一二三四五六七八九"
ZH_NUMBERS = {10: "十", 100: "百"}
ZH_HK_NUMBERS = {10: "十", 100: "百"}
EN_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EN_NUMBERS = {10: "ten", 11: "eleven", 12: "twelve", 13: "thirteen", 14: "fourteen", 15: "fifteen",
              16: "sixteen", 17: "seventeen", 18: "eighteen", 19: "nineteen", 20: "twenty", 30: "thirty",
              40: "forty", 50: "fifty", 60: "sixty", 70: "seventy", 80: "eighty", 90: "ninety", 100: "hundred"}

# words the default templates and common window names need; any other word is made when first used
DEFAULT_WORDS = {
    "zh-CN": ("请", "号到", "办理", "号窗口", "号", "到", "窗口", "请到"),
    "zh-HK": ("請", "號到", "號窗口辦理", "號窗口", "號", "到", "辦理", "窗口"),
    "en-US": ("Number", "please go to window", "please go to", "window"),
    "en-GB": ("Number", "please go to window", "please go to", "window"),
}

# punctuation and spaces at the edges of a template's words are pauses, not words
_EDGES = " \t,，.。!！?？:：;；、"
_FIELD = re.compile(r"\{(ticket|window|n)\}")


def is_english(lang):
    return lang.startswith("en")


def number_words(lang):
    """{value: what its clip says} of the `number:` clips of a language."""
    return EN_NUMBERS if is_english(lang) else (ZH_HK_NUMBERS if lang == "zh-HK" else ZH_NUMBERS)


def digit_text(lang, d):
    return EN_DIGITS[d] if is_english(lang) else ZH_DIGITS[d]


def manifest(lang):
    """{clip name: what it says} of every fixed clip of a language (words come from templates)."""
    clips = {CHIME: "(a chime before each announcement)"}
    clips.update({f"digit:{d}": digit_text(lang, d) for d in range(10)})
    clips.update({f"number:{n}": t for n, t in number_words(lang).items()})
    clips.update({f"letter:{c}": c for c in LETTERS})
    clips.update({f"word:{w}": w for w in DEFAULT_WORDS[lang]})
    return clips


def word(text):
    """The clip name of a template's words, or None for nothing but pauses."""
    text = text.strip(_EDGES)
    return f"word:{text}" if text else None


def spell(ticket):
    """A ticket number read one character at a time: A001 → letter:A digit:0 digit:0 digit:1."""
    out = []
    for ch in str(ticket).upper():
        if ch.isdigit():
            out.append(f"digit:{ch}")
        elif ch in LETTERS:
            out.append(f"letter:{ch}")
    return out


def read_number(n, lang):
    """A whole number as clips, the way a person says it: 11 → 十一, 110 → 一百一十, 21 → twenty one."""
    if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= MAX_NUMBER:
        raise ValueError(f"numbers are read from 0 to {MAX_NUMBER}, not {n!r}")
    if is_english(lang):
        return _english(n)
    return _chinese(n)


def _chinese(n):
    if n < 10:
        return [f"digit:{n}"]
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = []
    if hundreds:
        out += [f"digit:{hundreds}", "number:100"]
        if rest == 0:
            return out
        if tens == 0:
            return out + ["digit:0", f"digit:{ones}"]          # 一百零一
    if tens:
        if tens > 1 or hundreds:                                # 十一, but 一百一十 and 二十
            out.append(f"digit:{tens}")
        out.append("number:10")
    if ones:
        out.append(f"digit:{ones}")
    return out


def _english(n):
    if n == 0:
        return ["digit:0"]
    hundreds, rest = divmod(n, 100)
    out = [f"digit:{hundreds}", "number:100"] if hundreds else []
    if 10 <= rest < 20 or (rest >= 20 and rest % 10 == 0):
        out.append(f"number:{rest}")
    elif rest >= 20:
        out += [f"number:{rest - rest % 10}", f"digit:{rest % 10}"]
    elif rest:
        out.append(f"digit:{rest}")
    return out


def read_name(name, lang):
    """A window's name: its numbers read as numbers, the rest as words (11号窗口 → 十一 号窗口)."""
    out = []
    for part in re.findall(r"\d+|\D+", name or ""):
        if part.isdigit() and int(part) <= MAX_NUMBER:
            out += read_number(int(part), lang)
        elif part.isdigit():
            out += [f"digit:{d}" for d in part]
        else:
            w = word(part)
            if w:
                out.append(w)
    return out


def announcement(template, lang, ticket, window, window_name=None):
    """The clip names of one saying of the template for a call (no chime, no repeats)."""
    out = []
    pos = 0
    for m in _FIELD.finditer(template):
        w = word(template[pos:m.start()])
        if w:
            out.append(w)
        field = m.group(1)
        if field == "ticket":
            out += spell(ticket)
        elif field == "n" or is_english(lang) or not window_name:
            # an English sentence never reads a Chinese window name; a missing name reads its number
            if field == "window":
                out += ["word:window"] if is_english(lang) else []
                out += read_number(window, lang)
                out += [] if is_english(lang) else ["word:號窗口" if lang == "zh-HK" else "word:号窗口"]
            else:
                out += read_number(window, lang)
        else:
            out += read_name(window_name, lang)
        pos = m.end()
    w = word(template[pos:])
    if w:
        out.append(w)
    return out
