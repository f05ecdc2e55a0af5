"""Masks for personal data shown on public screens and answers (张*, 138****5678).

Nothing in the public API carries a citizen's name or phone today; appointments and remote
tickets will, and every place that shows them goes through these.
"""
import re

_PHONE = re.compile(r"^\+?(?:86)?1\d{10}$")


def mask_name(name):
    """Keep the first character (the family name, in most Chinese names): 张三 → 张*, 欧阳娜娜 → 欧***."""
    name = (name or "").strip()
    if not name:
        return ""
    if len(name) == 1:
        return "*"
    return name[0] + "*" * min(len(name) - 1, 3)


def mask_phone(phone):
    """Keep the carrier prefix and the last four digits: 13812345678 → 138****5678.

    Anything that is not a mainland mobile number keeps only its last four digits visible.
    """
    digits = re.sub(r"[\s-]", "", phone or "")
    if _PHONE.match(digits):
        core = digits[-11:]
        return f"{core[:3]}****{core[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def is_phone(text):
    return bool(_PHONE.match(re.sub(r"[\s-]", "", text or "")))
