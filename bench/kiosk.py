"""The kiosk PC through its agent: card laid → page, and tap → ticket printed.

    python bench/kiosk.py [--cards 20]

A real `hall serve`, the real kiosk agent (`hall kiosk-agent`, its own process) polling a simulated
ID-card reader on a pty every 0.3 s (the agent's default) and printing on a serial thermal printer
on another pty, and the kiosk page in headless Chromium. Each round lays a different card:

card_to_page_ms: from the card laid on the reader to the page showing the masked name (the
  agent's poll, find/select/read on the serial line, POST to the hall, hashing, the `id_card`
  push, the page's drawing). Cards are laid at a random moment of the poll cycle; the wait for
  the next poll (0–300 ms) is most of it.
tap_to_printed_ms: from the tap on 取号 to the last byte of the ticket (the cut) at the printer:
  the ticket request, the print request, the hall's `print` push to the agent, rendering,
  DLE EOT status before and after, the write. The agent's answer back to the page is not
  included (the paper is out by then).
Both clocks are this machine's wall clock (the page's Date.now() and Python's time.time()).
Prints one JSON object.
"""
import argparse
import json
import os
import random
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", os.path.join(ROOT, "tests", ".escpos-cache"))

from hall.stats import percentile  # noqa: E402
from tests.helpers import wait_until  # noqa: E402
from tests.kiosk.agent_rig import LI, KioskPC  # noqa: E402

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CUT = b"\x1bd\x06\x1dV\x00"

# set when the holder's box appears: the page's own clock, not Playwright's polling
WATCH = """() => {
  window.__shown = null;
  new MutationObserver(() => {
    if (!window.__shown && document.querySelector('#idcard-box.holder .idcard-name')) window.__shown = Date.now();
  }).observe(document.body, {subtree: true, childList: true, attributes: true});
}"""


def card(i):
    first17 = f"11010119800101{i:03d}"
    number = first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]
    return {**LI, "name": f"测试{i:03d}", "number": number}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as d, sync_playwright() as p:
        pc = KioskPC(d).start()
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page(viewport={"width": 1080, "height": 1920}, locale="zh-CN")
            page.goto(pc.page_url)
            page.wait_for_selector("body[data-ready='1'] #idcard-box.prompt")
            to_page, to_paper = [], []
            rng = random.Random(args.seed)
            for i in range(args.cards):
                page.evaluate(WATCH)
                time.sleep(rng.uniform(0, 0.3))        # cards land anywhere in the agent's poll cycle
                laid = time.time()
                pc.reader.lay(card(i))
                page.wait_for_function("window.__shown !== null", timeout=15000)
                to_page.append(page.evaluate("window.__shown") - laid * 1000)
                page.click(".event-tile[data-event='结婚']")
                page.click(".item-row[data-item='marriage']")
                before = pc.printer.received.count(CUT)
                tapped = page.evaluate("() => { const t = Date.now(); document.getElementById('take').click(); "
                                       "return t; }")
                while pc.printer.received.count(CUT) == before:
                    time.sleep(0.0005)
                to_paper.append(time.time() * 1000 - tapped)
                page.wait_for_selector("#view-ticket:not([hidden]) .print-status.ok")
                page.click("#ticket-done")
                seen = len(pc.reader.requests)
                pc.reader.remove()
                wait_until(lambda: len(pc.reader.requests) >= seen + 2, what="the agent seeing the card gone")
        finally:
            browser.close()
            pc.stop()
    out = {"cards": len(to_page), "reader_poll_s": 0.3,
           "card_to_page_ms_p50": round(percentile(to_page, 50), 1),
           "card_to_page_ms_p99": round(percentile(to_page, 99), 1),
           "tap_to_printed_ms_p50": round(percentile(to_paper, 50), 1),
           "tap_to_printed_ms_p99": round(percentile(to_paper, 99), 1),
           "load_1m": round(os.getloadavg()[0], 2)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
