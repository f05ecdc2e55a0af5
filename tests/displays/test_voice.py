"""Announcements in a real Chromium: one at a time, never cut off, unstuck when the engine hangs;
and the live client's sequence rule (gaps resync, a reconnect hears what it missed)."""
import pytest
import requests

from tests.helpers import always_open, small_center

from .conftest import live

# A speech engine we control, installed before the page's scripts run: it records what was said
# and whether an utterance started while another was still being spoken.
FAKE_SPEECH = """
window.__speech = {spoken: [], overlaps: 0, cancels: 0, speaking: false, mode: "end", ms: 120};
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
  getVoices() { return [{lang: "zh-CN", name: "fake-zh"}, {lang: "en-US", name: "fake-en"}]; },
  speak(u) {
    const s = window.__speech;
    if (s.speaking) s.overlaps++;
    s.speaking = true;
    s.spoken.push({text: u.text, lang: u.lang});
    if (s.mode === "hang") return;
    setTimeout(() => {
      s.speaking = false;
      if (s.mode === "error") u.onerror && u.onerror({error: "synthesis-failed"});
      else u.onend && u.onend({});
    }, s.ms);
  },
  cancel() { window.__speech.cancels++; window.__speech.speaking = false; },
}});
"""


class Hall:
    def __init__(self, server):
        self.server, self.base = server, f"{server.url}/api/v1/centers/east"

    def post(self, path, device, **body):
        r = requests.post(self.base + path, json=body, headers=self.server.headers(device), timeout=10)
        assert r.status_code in (200, 201, 204), r.text
        return r

    def issue(self, queue):
        self.post("/tickets", "kiosk-east", queue=queue)

    def window(self, number, action, **body):
        self.post(f"/windows/{number}/{action}", "bridge-east", **body)


def screen(browser, server, path="/display/east", speech_mode="end"):
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    ctx.add_init_script(FAKE_SPEECH + f"window.__speech.mode = {speech_mode!r};")
    page = ctx.new_page()
    page.goto(server.url + path)
    live(page)
    page.evaluate("window.hallVoice.gapMs = 30; window.hallVoice.chimeMs = 30")
    return ctx, page


@pytest.fixture
def contexts():
    made = []
    yield made
    for c in made:
        c.close()


def test_announcements_queue_up_and_never_talk_over_each_other(browser, server, contexts):
    ctx, page = screen(browser, server)
    contexts.append(ctx)
    hall = Hall(server)
    for q in ("general", "general", "police"):
        hall.issue(q)
    for n in (1, 2, 3):
        hall.window(n, "open")
    for n in (1, 2, 3):                     # three calls in quick succession
        hall.window(n, "call-next")
    page.wait_for_function("window.hallVoice.log.length === 3 && window.hallVoice.log.every(i => i.state === 'done')")
    spoken = page.evaluate("window.__speech.spoken")
    assert [s["text"] for s in spoken] == ["请A 零 零 一号到1号窗口办理"] * 2 + ["请A 零 零 二号到2号窗口办理"] * 2 \
        + ["请B 零 零 一号到3号窗口办理"] * 2
    assert {s["lang"] for s in spoken} == {"zh-CN"}
    assert page.evaluate("window.__speech.overlaps") == 0
    assert page.evaluate("window.__speech.cancels") == 0            # nothing was cut off
    assert [i["mode"] for i in page.evaluate("window.hallVoice.log")] == ["speech"] * 3


def test_an_engine_that_hangs_is_cancelled_and_the_queue_goes_on(browser, server, contexts):
    ctx, page = screen(browser, server, speech_mode="hang")
    contexts.append(ctx)
    page.evaluate("window.hallVoice.timeoutFor = () => 200")
    hall = Hall(server)
    hall.issue("general")
    hall.issue("general")
    hall.window(1, "open")
    hall.window(2, "open")
    hall.window(1, "call-next")
    hall.window(2, "call-next")
    page.wait_for_function("window.hallVoice.log.length === 2 && window.hallVoice.log.every(i => i.state === 'done')")
    log = page.evaluate("window.hallVoice.log")
    assert [i["outcomes"] for i in log] == [["timeout", "timeout", "chime"]] * 2
    assert page.evaluate("window.__speech.cancels") == 4
    assert len(page.evaluate("window.__speech.spoken")) == 4


def test_a_speech_error_counts_as_the_end(browser, server, contexts):
    ctx, page = screen(browser, server, speech_mode="error")
    contexts.append(ctx)
    hall = Hall(server)
    hall.issue("general")
    hall.window(1, "open")
    hall.window(1, "call-next")
    page.wait_for_function("window.hallVoice.log.length === 1 && window.hallVoice.log[0].state === 'done'")
    assert page.evaluate("window.hallVoice.log[0].outcomes") == ["error:synthesis-failed"] * 2 + ["chime"]


@pytest.fixture
def english_server(hall_server):
    centre = always_open(small_center("east", voice={"lang": "en-US", "repeat": 1}))
    return hall_server(centers=[centre]).start()


def test_language_template_and_repeat_come_from_the_centre(browser, english_server, contexts):
    ctx, page = screen(browser, english_server)
    contexts.append(ctx)
    hall = Hall(english_server)
    hall.issue("police")
    hall.window(3, "open")
    hall.window(3, "call-next")
    page.wait_for_function("window.hallVoice.log.length === 1 && window.hallVoice.log[0].state === 'done'")
    assert page.evaluate("window.__speech.spoken") == [
        {"text": "Number B, zero, zero, one, please go to window 3", "lang": "en-US"}]


def test_a_gap_in_seq_brings_a_snapshot_and_drops_the_stray_message(browser, server, contexts):
    ctx, page = screen(browser, server)
    contexts.append(ctx)
    Hall(server).issue("general")
    page.wait_for_function("document.querySelector('.queue[data-queue=general] .q-count')?.textContent === '1'")
    seq = page.evaluate("window.hallLive.version()")
    page.evaluate("""() => {
        window.__snapshots = 0;
        window.hallLive.socket.on("snapshot", () => window.__snapshots++);
        const stray = {id: "general", prefix: "A", name: "综合受理", waiting: 99, est_wait_s: 60,
                       seq: window.hallLive.version() + 5, prev: window.hallLive.version() + 4};
        window.hallLive.socket.listeners("queue")[0](stray);
    }""")
    page.wait_for_function("window.__snapshots === 1")
    assert page.evaluate("window.hallLive.version()") == seq
    assert page.inner_text(".queue[data-queue=general] .q-count") == "1"
    Hall(server).issue("general")                                      # and the chain goes on from there
    page.wait_for_function("document.querySelector('.queue[data-queue=general] .q-count')?.textContent === '2'")


def test_a_screen_that_was_away_shows_and_says_the_calls_it_missed(browser, server, contexts):
    ctx, page = screen(browser, server)
    contexts.append(ctx)
    hall = Hall(server)
    hall.issue("general")
    hall.window(1, "open")
    page.evaluate("window.hallLive.socket.disconnect()")
    hall.window(1, "call-next")
    page.evaluate("window.hallLive.socket.connect()")
    page.wait_for_function("document.querySelector('#now-number')?.textContent === 'A001'")
    page.wait_for_function("window.hallVoice.log.length === 1")
    assert page.evaluate("window.hallVoice.log[0].text") == "请A001号到1号窗口办理"
    page.evaluate("""() => {
        window.__snapshots = 0;
        window.hallLive.socket.on("snapshot", () => window.__snapshots++);   // runs after the screen's own
        window.hallLive.socket.disconnect();
        window.hallLive.socket.connect();
    }""")
    page.wait_for_function("window.__snapshots === 1")                 # nothing new: nothing said again
    assert page.evaluate("window.hallVoice.log.length") == 1
