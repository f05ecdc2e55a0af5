"""What the accessibility tests measure in the rendered page: axe-core's audit (bundled with
axe-playwright-python, injected into the page: nothing is downloaded at run time), and our own
measures of text size, text contrast and touch targets, read from Chromium's computed styles and
layout boxes."""
from axe_playwright_python.sync_playwright import Axe

BLOCKING = ("serious", "critical")
_AXE = Axe()


def axe_violations(page):
    """axe-core's violations of impact serious or critical on the page as it is now, every rule on."""
    found = _AXE.run(page, options={"resultTypes": ["violations"]}).response["violations"]
    return [v for v in found if v["impact"] in BLOCKING]


def axe_rules_broken(page):
    """The ids of every rule axe-core finds broken, whatever its impact (for the moderate ones a page
    is held to as well)."""
    return {v["id"] for v in _AXE.run(page, options={"resultTypes": ["violations"]}).response["violations"]}


def describe(violations):
    """The violations as a person fixing them wants to read them: rule, impact, what it asks, and
    every element with axe's own summary of what is wrong."""
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]")
        for node in v["nodes"]:
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    {' '.join(node['target'])}: {node['html'][:160]}")
            if summary:
                lines.append(f"      {summary[:300]}")
    return "\n".join(lines)


def assert_accessible(page, where):
    found = axe_violations(page)
    assert not found, f"axe-core on {where}: {len(found)} serious/critical violation(s)\n{describe(found)}"


# Every visible element that holds text of its own: its font size, and the contrast of its colour
# against what lies behind it (WCAG 2 relative luminance). Behind it is worked out from the element
# up: background colours composited, and for a gradient every colour stop (the worst one counts);
# the text's colour is faded by its own alpha and every opacity on the way up.
TEXT_FACTS = r"""() => {
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || "");
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const lin = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  const lum = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const cs = getComputedStyle(e);
      const stops = (cs.backgroundImage.match(/rgba?\([^)]+\)/g) || []).map(parse);
      const bg = parse(cs.backgroundColor);
      layers.push({bg, stops});
      if ((bg && bg[3] === 1) || (stops.length && stops.every(s => s[3] === 1))) break;
    }
    let under = [[255, 255, 255, 1]];
    for (let i = layers.length - 1; i >= 0; i--) {
      const L = layers[i];
      if (L.bg && L.bg[3] > 0) under = under.map(c => over(L.bg, c));
      if (L.stops.length) under = [].concat(...under.map(c => L.stops.map(s => over(s, c))));
    }
    return under;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "");
  const path = (el) => {
    const p = [];
    for (let e = el; e && p.length < 3; e = e.parentElement) p.unshift(name(e));
    return p.join(" > ");
  };
  const shown = (el) => el.checkVisibility({opacityProperty: true, visibilityProperty: true});
  const seen = new Set(), out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || seen.has(el) || el.closest("script, style, template")) continue;
    seen.add(el);
    const box = el.getBoundingClientRect();
    if (box.width < 1 || box.height < 1 || !shown(el)) continue;
    const cs = getComputedStyle(el);
    const fg = parse(cs.color);
    let alpha = fg[3];
    for (let e = el; e; e = e.parentElement) alpha *= parseFloat(getComputedStyle(e).opacity);
    const worst = Math.min(...behind(el).map(b => ratio(over([fg[0], fg[1], fg[2], alpha], b), b)));
    // WCAG 1.4.3 asks nothing of an inactive control (a disabled button): it is kept apart
    out.push({where: path(el), text: n.textContent.trim().slice(0, 24), size: parseFloat(cs.fontSize),
              contrast: Math.round(worst * 100) / 100, inactive: !!el.closest(":disabled")});
  }
  return out;
}"""

# Every visible thing a finger can touch, with its box in CSS pixels.
TARGETS = r"""() => {
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.classList.length ? "." + [...el.classList].join(".") : "") +
    (el.dataset.k ? "[data-k=" + el.dataset.k + "]" : el.dataset.item ? "[data-item=" + el.dataset.item + "]" : "");
  return [...document.querySelectorAll("button, a[href], input:not([type=hidden]), select, textarea, [role=button]")]
    .filter(el => {
      const b = el.getBoundingClientRect();
      return b.width > 0 && b.height > 0 && el.checkVisibility({opacityProperty: true, visibilityProperty: true});
    })
    .map(el => { const b = el.getBoundingClientRect();
                 return {where: name(el), text: (el.innerText || el.value || "").trim().slice(0, 16),
                         width: Math.round(b.width * 10) / 10, height: Math.round(b.height * 10) / 10}; });
}"""


def text_facts(page):
    return page.evaluate(TEXT_FACTS)


def targets(page):
    return page.evaluate(TARGETS)
