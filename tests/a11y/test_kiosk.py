"""The kiosk for everyone, measured in Chromium along a citizen's path (tests/a11y/kiosk_walk.py), in
normal and elderly (长者) mode, on a standing totem (1080×1920) and a counter kiosk (1920×1080):

- axe-core finds no serious or critical violation on any screen;
- elderly mode: every visible text is 30 px or more, reads at 4.5:1 or more against what is behind it,
  and every button, link and field is 60×60 px or more; normal mode: 4.5:1 too, and targets of at
  least 44×44 px (WCAG 2.5.5);
- the way to a person (咨询台 / 帮办代办) is on screen, uncovered, on every screen of both modes;
- 「评价服务」 (the number typed, the levels, a bad level's reasons, the thanks) fits on the screen: nothing
  to scroll to reach its keys or 「下一步」.

The figures go to test-artifacts/a11y-kiosk-<shape>-<mode>.json, a screenshot of every screen beside them."""
import json
import os
import re

import pytest

from tests.a11y.audit import assert_accessible, axe_violations, describe, targets, text_facts
from tests.a11y.conftest import LANDSCAPE, PORTRAIT
from tests.a11y.kiosk_walk import walk
from hall import text
from tests.helpers import api

ELDERLY_MIN_TEXT_PX = 30
MIN_CONTRAST = 4.5
MIN_TARGET_PX = {"elderly": 60, "normal": 44}
SHAPES = {"portrait": PORTRAIT, "landscape": LANDSCAPE}

# Where the way to a person is on screen, and whether anything lies over its middle.
HELP_BAR = r"""() => {
  const bar = document.getElementById("help-bar");
  if (!bar || !bar.checkVisibility({opacityProperty: true, visibilityProperty: true})) return {state: "not shown"};
  const r = bar.getBoundingClientRect();
  const inside = r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5 && r.right <= innerWidth + 0.5;
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  const over = hit ? hit.className || hit.tagName : "nothing";
  return {state: !inside ? "outside the screen" : bar.contains(hit) ? "ok" : "covered by " + over,
          text: bar.innerText, size: parseFloat(getComputedStyle(bar.querySelector("strong")).fontSize),
          width: r.width, height: r.height};
}"""


@pytest.fixture
def served_number(hall):
    """A ticket's number served just now at window 2 (called out of order, so the hall's other tickets
    stay as they are), for the walk to rate at the kiosk."""
    r = api(hall, "POST", "/centers/east/tickets", "kiosk-east", json={"queue": "general"})
    assert r.status_code == 201, r.text
    ticket = r.json()
    for action, body in (("call", {"ticket": ticket["id"]}), ("finish", None)):
        r = api(hall, "POST", f"/centers/east/windows/2/{action}", "staff-east", json=body)
        assert r.status_code == 200, (action, r.text)
    return ticket["number"]


# How far the screen's content reaches below what is shown (0: it fits, nothing to scroll).
OVERFLOW = ("(() => { const m = document.querySelector('main'); "
            "return Math.max(0, m.scrollHeight - m.clientHeight); })()")


def slug(name):
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@pytest.mark.parametrize("mode", ["normal", "elderly"])
@pytest.mark.parametrize("shape", ["portrait", "landscape"])
def test_every_kiosk_screen_for_everyone(kiosk, hall, artifacts, served_number, shape, mode):
    page = kiosk(SHAPES[shape])
    elderly = mode == "elderly"
    problems, figures = [], {}
    for n, (screen, p) in enumerate(walk(page, elderly, served_number)):
        where = f"{mode} kiosk ({shape}), {screen}"
        p.screenshot(path=os.path.join(artifacts, f"a11y-kiosk-{shape}-{mode}-{n:02d}-{slug(screen)}.png"))
        found = axe_violations(p)
        if found:
            problems.append(f"axe-core on {where}: {len(found)} serious/critical\n{describe(found)}")
        texts, touch = text_facts(p), targets(p)
        assert texts and touch, f"nothing measured on {where}"
        small = [f for f in texts if f["size"] < ELDERLY_MIN_TEXT_PX] if elderly else []
        faint = [f for f in texts if f["contrast"] < MIN_CONTRAST and not f["inactive"]]
        least = MIN_TARGET_PX[mode]
        tiny = [t for t in touch if t["width"] < least or t["height"] < least]
        for what, bad in ((f"text under {ELDERLY_MIN_TEXT_PX} px", small), (f"contrast under {MIN_CONTRAST}:1", faint),
                          (f"targets under {least}×{least} px", tiny)):
            if bad:
                problems.append(f"{where}: {what}:\n" + "\n".join(f"    {b}" for b in bad))
        if screen.startswith("rating") and p.evaluate(OVERFLOW) > 1:
            # a keypad half below the fold: a citizen would have to know to scroll to reach 「下一步」
            problems.append(f"{where}: the screen scrolls by {p.evaluate(OVERFLOW)} px")
        modal = p.is_visible("#modal")
        help_bar = p.evaluate(HELP_BAR)
        # a dialog lies over everything (the help dialog is itself the way to a person)
        if help_bar["state"] != "ok" and not (modal and help_bar["state"].startswith("covered")):
            problems.append(f"{where}: the way to a person is {help_bar['state']}")
        elif not ("咨询台" in help_bar["text"] and "帮办代办" in help_bar["text"]):
            problems.append(f"{where}: the help bar says {help_bar['text']!r}")
        figures[screen] = {
            "smallest_text_px": min(f["size"] for f in texts),
            "lowest_contrast": min(f["contrast"] for f in texts if not f["inactive"]),
            "smallest_target_px": [min(t["width"] for t in touch), min(t["height"] for t in touch)],
            "targets": len(touch), "texts": len(texts), "help_bar_px": [help_bar.get("width"), help_bar.get("height")],
            "help_text_px": help_bar.get("size"),
        }
    with open(os.path.join(artifacts, f"a11y-kiosk-{shape}-{mode}.json"), "w", encoding="utf-8") as f:
        json.dump(figures, f, ensure_ascii=False, indent=1)
    assert not problems, "\n".join(problems)
    assert len(figures) == (7 if elderly else 8) + 4
    # the walk's rating was recorded, on the kiosk's channel, with its reason
    followups = api(hall, "GET", "/centers/east/followups", "manager-east").json()["followups"]
    [f] = [f for f in followups if f["number"] == served_number]
    assert (f["score"], f["channel"], len(f["reasons"])) == ((1 if elderly else 2), "kiosk", 1)


def test_the_way_to_a_person_in_english_and_what_it_opens(kiosk):
    page = kiosk(PORTRAIT)
    en = text.catalogue("en")["kiosk"]
    page.tap("#btn-lang")
    page.wait_for_function("document.documentElement.lang === 'en'")
    bar = page.inner_text("#help-bar")
    assert en["help_bar"] in bar and en["help_bar_more"] in bar
    assert not re.search(r"[\u3400-\u9fff]", bar)
    assert_accessible(page, "the kiosk in English")
    page.tap("#help-bar")
    page.wait_for_selector("#modal:not([hidden])")
    assert page.inner_text("#modal-title") == en["help_title"]
    assert page.locator("#modal-list li").all_inner_texts() == en["help_todo"]
    assert page.get_attribute("#modal", "data-tone") == "help"
    # the dialog has its title as its name, for a screen reader
    assert page.evaluate("document.querySelector('.modal-box').getAttribute('aria-labelledby')") == "modal-title"
    page.tap("#modal-ok")
    page.wait_for_selector("#modal", state="hidden")
    # the next dialog (the guide's PIN) is not dressed as help
    page.tap("#btn-guide")
    page.wait_for_selector("#modal:not([hidden]) #pin-keys button")
    assert page.get_attribute("#modal", "data-tone") == ""
    page.tap("#modal-cancel")
    page.tap("#btn-lang")
    page.wait_for_function("document.documentElement.lang === 'zh-CN'")
    zh = text.catalogue("zh-CN")["kiosk"]
    assert zh["help_bar"] in page.inner_text("#help-bar")
