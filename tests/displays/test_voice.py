"""Announcements in a real Chromium: the hall's audio played one at a time, never cut off, in call
order; the screen's own voice, then the chime, only when the audio cannot play; unstuck when the
speech engine hangs; and the live client's sequence rule (gaps resync, a reconnect hears what it
missed). The hall here speaks from a pack of short pure tones (tests/displays/tones.py)."""
import pytest
import requests

from tests.helpers import always_open, small_center, wait_until

from . import tones
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


def screen(browser, server, path="/display/east", speech_mode="end", audio=True):
    """A screen; `audio=False` makes the hall's announcement files unreachable from it."""
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    ctx.add_init_script(FAKE_SPEECH + f"window.__speech.mode = {speech_mode!r};")
    page = ctx.new_page()
    if not audio:
        page.route("**/audio/**", lambda route: route.abort())
    page.goto(server.url + path)
    live(page)
    page.evaluate("window.hallVoice.gapMs = 30; window.hallVoice.chimeMs = 30")
    return ctx, page


@pytest.fixture
def tone_pack(tmp_path, monkeypatch):
    """The default pack of every hall this test starts: short tones, said once."""
    pack = tones.write_pack(str(tmp_path / "tone-pack"), tones.frequencies())
    monkeypatch.setenv("HALL_VOICE_PACK", pack)
    return pack


@pytest.fixture
def server(hall_server, tone_pack):
    return hall_server(centers=[always_open(small_center("east", voice={"repeat": 1}))]).start()


@pytest.fixture
def contexts():
    made = []
    yield made
    for c in made:
        c.close()


def done(page, n):
    page.wait_for_function(f"window.hallVoice.log.length === {n} && "
                           "window.hallVoice.log.every(i => i.state === 'done')", timeout=30000)
    return page.evaluate("window.hallVoice.log")


def test_three_calls_play_three_announcements_one_after_another_in_call_order(browser, server, contexts):
    ctx, page = screen(browser, server)
    contexts.append(ctx)
    hall = Hall(server)
    for q in ("general", "general", "police"):
        hall.issue(q)
    for n in (1, 2, 3):
        hall.window(n, "open")
    for n in (1, 2, 3):                     # three calls in quick succession
        hall.window(n, "call-next")
    log = done(page, 3)
    assert [(i["ticket"], i["window"], i["mode"], i["outcomes"]) for i in log] == [
        ("A001", 1, "audio", ["audio:ended"]), ("A002", 2, "audio", ["audio:ended"]),
        ("B001", 3, "audio", ["audio:ended"])]
    plays = [i["plays"][0] for i in log]
    assert len({p["src"] for p in plays}) == 3 and all(p["src"].startswith("/audio/zh-CN/") for p in plays)
    for before, after in zip(plays, plays[1:]):
        assert before["ended"] <= after["playing"]                     # never two at once
    for p in plays:
        # played whole: a chime and nine tones, about 1.9 s (tones.py), not cut short
        assert 1700 <= p["ended"] - p["playing"] <= 4000
    assert page.evaluate("window.__speech.spoken") == []                # the screen's own voice kept quiet


def test_a_recall_plays_the_announcement_again(browser, server, contexts):
    ctx, page = screen(browser, server)
    contexts.append(ctx)
    hall = Hall(server)
    hall.issue("general")
    hall.window(1, "open")
    hall.window(1, "call-next")
    done(page, 1)
    hall.window(1, "recall")
    first, again = done(page, 2)
    assert again["recall"] is True and again["outcomes"] == ["audio:ended"]
    assert again["plays"][0]["src"] == first["plays"][0]["src"]


def test_an_unreachable_announcement_is_said_by_the_screens_voice_and_the_queue_goes_on(browser, server, contexts):
    ctx, page = screen(browser, server, audio=False)
    contexts.append(ctx)
    hall = Hall(server)
    hall.issue("general")
    hall.issue("general")
    hall.window(1, "open")
    hall.window(2, "open")
    hall.window(1, "call-next")
    hall.window(2, "call-next")
    log = done(page, 2)
    assert [(i["mode"], i["outcomes"]) for i in log] == [("speech", ["audio:error", "end"])] * 2
    assert [s["text"] for s in page.evaluate("window.__speech.spoken")] == ["请A 零 零 一号到1号窗口办理",
                                                                          "请A 零 零 二号到2号窗口办理"]
    assert page.evaluate("window.__speech.overlaps") == 0


def test_with_no_voice_either_the_chime_sounds_and_the_queue_goes_on(browser, server, contexts):
    ctx, page = screen(browser, server, audio=False)
    contexts.append(ctx)
    page.evaluate("window.speechSynthesis.getVoices = () => []")
    hall = Hall(server)
    hall.issue("general")
    hall.issue("general")
    hall.window(1, "open")
    hall.window(1, "call-next")
    hall.window(1, "finish")
    hall.window(1, "call-next")
    log = done(page, 2)
    assert [(i["ticket"], i["mode"], i["outcomes"]) for i in log] == [("A001", "chime", ["audio:error", "chime"]),
                                                                    ("A002", "chime", ["audio:error", "chime"])]


def test_a_call_whose_turn_comes_too_late_is_not_said(browser, server, contexts):
    ctx, page = screen(browser, server)
    contexts.append(ctx)
    page.evaluate("window.hallVoice.maxAgeMs = 500")     # the first announcement lasts ~1.9 s
    hall = Hall(server)
    for _ in range(3):
        hall.issue("general")
    for n in (1, 2):
        hall.window(n, "open")
    hall.window(1, "call-next")
    page.wait_for_function("window.hallVoice.log.length === 1 && window.hallVoice.log[0].plays.length === 1")
    hall.window(2, "call-next")
    page.wait_for_function("window.hallVoice.log.length === 2 && window.hallVoice.log[1].state !== 'queued'",
                           timeout=30000)
    log = page.evaluate("window.hallVoice.log")
    assert [(i["ticket"], i["state"]) for i in log][1] == ("A002", "skipped")


def test_a_screen_that_may_not_play_yet_says_so_until_touched(browser, server):
    """A browser that keeps sound off until a touch (the default on most devices)."""
    b = browser.browser_type.launch(executable_path="/usr/bin/chromium",
                                    args=["--autoplay-policy=user-gesture-required"])
    try:
        page = b.new_page()
        # read the page through the DevTools protocol until the touch: Playwright's own evaluate
        # and waits run as if the user had touched the page, which would unlock its sound
        cdp = page.context.new_cdp_session(page)

        def read(expression):
            answer = cdp.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
            return answer["result"].get("value")
        page.goto(server.url + "/display/east")
        wait_until(lambda: read("!document.getElementById('sound').hidden"), what="the touch prompt")
        assert read("document.getElementById('sound').textContent") == "点击开启声音"
        hall = Hall(server)
        hall.issue("general")
        hall.issue("general")
        hall.window(1, "open")
        hall.window(1, "call-next")
        wait_until(lambda: read("window.hallVoice.log.length === 1 && window.hallVoice.log[0].state === 'done'"),
                   what="the first call")
        assert read("window.hallVoice.log[0].outcomes") == ["audio:blocked"]   # shown, not said, not held
        assert read("document.getElementById('now-number').textContent") == "A001"
        page.click("#sound")
        page.wait_for_selector("#sound", state="hidden")
        hall.window(1, "finish")
        hall.window(1, "call-next")
        second = done(page, 2)[1]
        assert second["outcomes"] == ["audio:ended"]
    finally:
        b.close()


def test_spoken_announcements_queue_up_and_never_talk_over_each_other(browser, server, contexts):
    ctx, page = screen(browser, server, audio=False)
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
    assert [s["text"] for s in spoken] == ["请A 零 零 一号到1号窗口办理", "请A 零 零 二号到2号窗口办理",
                                           "请B 零 零 一号到3号窗口办理"]          # said once: `repeat: 1`
    assert {s["lang"] for s in spoken} == {"zh-CN"}
    assert page.evaluate("window.__speech.overlaps") == 0
    assert page.evaluate("window.__speech.cancels") == 0            # nothing was cut off
    assert [i["mode"] for i in page.evaluate("window.hallVoice.log")] == ["speech"] * 3


def test_an_engine_that_hangs_is_cancelled_and_the_queue_goes_on(browser, server, contexts):
    ctx, page = screen(browser, server, speech_mode="hang", audio=False)
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
    assert [i["outcomes"] for i in log] == [["audio:error", "timeout", "chime"]] * 2
    assert page.evaluate("window.__speech.cancels") == 2
    assert len(page.evaluate("window.__speech.spoken")) == 2


def test_a_speech_error_counts_as_the_end(browser, server, contexts):
    ctx, page = screen(browser, server, speech_mode="error", audio=False)
    contexts.append(ctx)
    hall = Hall(server)
    hall.issue("general")
    hall.window(1, "open")
    hall.window(1, "call-next")
    page.wait_for_function("window.hallVoice.log.length === 1 && window.hallVoice.log[0].state === 'done'")
    assert page.evaluate("window.hallVoice.log[0].outcomes") == ["audio:error", "error:synthesis-failed", "chime"]


@pytest.fixture
def english_server(hall_server):
    centre = always_open(small_center("east", voice={"lang": "en-US", "repeat": 1}))
    return hall_server(centers=[centre]).start()


def test_language_template_and_repeat_come_from_the_centre(browser, english_server, contexts):
    ctx, page = screen(browser, english_server, audio=False)
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
