"""Announcements made on the hall, heard back: a pack of pure tones, a real app, the served WAV
decoded and cut into its pieces, each piece named by its frequency."""
import os

import pytest

from hall import catalog
from hall.app import create_app
from tests.helpers import small_center

from . import tones

WINDOWS = [{"number": 1, "name": "1号窗口", "queues": ["general", "police"]},
           {"number": 11, "name": "11号窗口", "queues": ["general"]},
           {"number": 3, "name": "综合窗口", "queues": ["police"]}]
FREQS = tones.frequencies()
SAYS_A001_AT_11 = ["word:请", "letter:A", "digit:0", "digit:0", "digit:1", "word:号到", "number:10", "digit:1",
                   "word:号窗口", "word:办理"]


@pytest.fixture
def tone_pack(tmp_path):
    return tones.write_pack(str(tmp_path / "tone-pack"), FREQS)


@pytest.fixture
def app(tmp_path, clock, tone_pack):
    # the engine makes no clip here: every word the tests need is in the tone pack, and a missing
    # one must stay missing rather than be spoken by espeak-ng
    app = create_app({"DATA_DIR": str(tmp_path / "data"), "CLOCK": clock, "SECRET_KEY": "test-secret",
                      "VOICE_PACK": tone_pack, "VOICE_MAKE_MISSING": False})
    hall = app.extensions["hall"]
    catalog.load(hall, catalog.parse({"centers": [small_center("east", windows=WINDOWS), small_center("west")]}))
    yield app
    hall.store.close()


@pytest.fixture
def screen(app):
    c = app.extensions["socketio"].test_client(app, auth={"center": "east"})
    c.get_received()
    yield c
    c.disconnect()


def call(hall, screen, window, action="call-next", **args):
    hall.execute("east", action, {"window": window, **args})
    [m] = [m["args"][0] for m in screen.get_received() if m["name"] == "call"]
    return m


def fetch(client, path):
    r = client.get(path)
    assert r.status_code == 200 and r.mimetype == "audio/wav"
    return r


def test_a_call_says_the_chime_then_the_sentence_twice_with_a_pause(hall, client, screen):
    hall.execute("east", "issue", {"queue": "general"})
    hall.execute("east", "open", {"window": 11})
    m = call(hall, screen, 11)
    assert m["audio"].startswith("/audio/zh-CN/") and m["audio"].endswith(".wav")
    data = fetch(client, m["audio"]).data
    pieces = tones.heard(data, FREQS)
    assert [k for k, _, _ in pieces] == ["chime"] + SAYS_A001_AT_11 * 2
    starts, ends = [s for _, s, _ in pieces], [e for _, _, e in pieces]
    lengths = [e - s for s, e in zip(starts, ends)]
    assert all(abs(n - tones.CLIP_S) <= 0.011 for n in lengths)            # every clip whole
    gaps = [round(b - a, 2) for a, b in zip(ends, starts[1:])]
    n = len(SAYS_A001_AT_11)
    assert abs(gaps[0] - 0.25) <= 0.011                                     # after the chime
    assert abs(gaps[n] - 0.80) <= 0.011                                     # between the two sayings
    assert all(abs(g - 0.06) <= 0.011 for i, g in enumerate(gaps) if i not in (0, n))
    expected = tones.CLIP_S * (1 + 2 * n) + 0.25 + 0.80 + 0.06 * 2 * (n - 1)
    assert abs(tones.wav_seconds(data) - expected) <= 0.02


def test_the_same_words_give_the_same_path_and_a_recall_says_it_again(hall, client, screen):
    hall.execute("east", "issue", {"queue": "general"})
    hall.execute("east", "open", {"window": 1})
    first = call(hall, screen, 1)
    again = call(hall, screen, 1, "recall")
    assert again["recall"] is True and again["audio"] == first["audio"]
    r = fetch(client, first["audio"])
    assert "immutable" in r.headers["Cache-Control"] and "max-age=31536000" in r.headers["Cache-Control"]
    assert client.get(first["audio"], headers={"If-None-Match": r.headers["ETag"]}).status_code == 304
    assert [k for k, _, _ in tones.heard(r.data, FREQS)][:6] == ["chime", "word:请", "letter:A", "digit:0",
                                                                  "digit:0", "digit:1"]


def test_a_window_without_a_number_says_its_name_and_a_missing_clip_is_left_out(hall, client, screen):
    hall.execute("east", "issue", {"queue": "police"})
    hall.execute("east", "open", {"window": 3})
    m = call(hall, screen, 3)
    said = [k for k, _, _ in tones.heard(fetch(client, m["audio"]).data, FREQS)]
    # 「综合窗口」 is no clip of the tone pack and the engine is off here: the rest is still said
    assert said == ["chime"] + ["word:请", "letter:B", "digit:0", "digit:0", "digit:1", "word:号到", "word:办理"] * 2


def test_a_centres_repeat_setting_is_heard(tmp_path, clock, tone_pack):
    app = create_app({"DATA_DIR": str(tmp_path / "d2"), "CLOCK": clock, "SECRET_KEY": "s",
                      "VOICE_PACK": tone_pack, "VOICE_MAKE_MISSING": False})
    hall = app.extensions["hall"]
    catalog.load(hall, catalog.parse({"centers": [small_center(
        "east", windows=WINDOWS, voice={"repeat": 3, "template": "请{ticket}号到{n}号窗口"})]}))
    screen = app.extensions["socketio"].test_client(app, auth={"center": "east"})
    hall.execute("east", "issue", {"queue": "general"})
    hall.execute("east", "open", {"window": 1})
    screen.get_received()
    m = call(hall, screen, 1)
    said = [k for k, _, _ in tones.heard(fetch(app.test_client(), m["audio"]).data, FREQS)]
    once = ["word:请", "letter:A", "digit:0", "digit:0", "digit:1", "word:号到", "digit:1", "word:号窗口"]
    assert said == ["chime"] + once * 3
    screen.disconnect()
    hall.store.close()


def test_a_centres_own_clips_replace_the_default_clip_by_clip(hall, client, screen, auth):
    own = {"word:请": 3900.0, "digit:1": 4100.0}
    pack = tones.zip_of({f"zh-CN/{k.replace(':', '-')}.wav": tones.tone(f) for k, f in own.items()})
    r = client.put("/api/v1/centers/east/voice/pack", data=pack, headers=auth.headers("manager-east"))
    assert r.status_code == 200, r.get_json()
    assert r.get_json() == {"installed": {"zh-CN": 2}}
    hall.execute("east", "issue", {"queue": "general"})
    hall.execute("east", "open", {"window": 11})
    m = call(hall, screen, 11)
    heard_as = {**FREQS, **{f"own {k}": f for k, f in own.items()}}
    said = [k for k, _, _ in tones.heard(fetch(client, m["audio"]).data, heard_as)]
    expected = [f"own {k}" if k in own else k for k in SAYS_A001_AT_11]
    assert said == ["chime"] + expected * 2
    assert client.delete("/api/v1/centers/east/voice/pack", headers=auth.headers("manager-east")).get_json() == \
        {"removed": True}
    hall.execute("east", "recall", {"window": 11})
    back = [m["args"][0] for m in screen.get_received() if m["name"] == "call"][0]
    assert back["audio"] != m["audio"]
    assert [k for k, _, _ in tones.heard(fetch(client, back["audio"]).data, FREQS)] == ["chime"] + SAYS_A001_AT_11 * 2


def test_a_zipped_folder_is_a_pack_too(client, auth):
    pack = tones.zip_of({"我的语音包/manifest.json": b"{}", "我的语音包/zh-HK/digit-1.wav": tones.tone(700),
                         "我的语音包/zh-CN/word-号窗口.wav": tones.tone(800), "__MACOSX/._x": b"junk"})
    r = client.put("/api/v1/centers/east/voice/pack", data=pack, headers=auth.headers("manager-east"))
    assert r.status_code == 200 and r.get_json() == {"installed": {"zh-CN": 1, "zh-HK": 1}}


def test_the_preview_says_which_clips_are_own_default_or_missing(client, auth):
    r = client.get("/api/v1/centers/east/voice?ticket=C012&window=3", headers=auth.headers("manager-east"))
    assert r.status_code == 200
    body = r.get_json()
    assert body["voice"] == {"lang": "zh-CN", "template": "请{ticket}号到{window}办理", "repeat": 2}
    assert [(c["clip"], c["source"]) for c in body["clips"]] == [
        ("chime", "default"), ("word:请", "default"), ("letter:C", "default"), ("digit:0", "default"),
        ("digit:1", "default"), ("digit:2", "default"), ("word:号到", "default"), ("word:综合窗口", "missing"),
        ("word:办理", "default")]
    assert client.get(body["audio"]).status_code == 200


@pytest.mark.parametrize("files, says", [
    ({"digit-1.wav": tones.tone(500)}, "language folder"),
    ({"zh-CN/digit-x.wav": tones.tone(500)}, "no clip is named"),
    ({"zh-CN/digit-1.wav": b"RIFF not really"}, "not a PCM WAV"),
    ({"zh-CN/digit-1.wav": tones.tone(500, seconds=11)}, "at most 10 s"),
    ({"zh-CN/digit-1.wav": tones.tone(500) [:44] + bytes(3200)}, "silent"),
    ({"fr-FR/digit-1.wav": tones.tone(500)}, "language folder"),
    ({"zh-CN/word-a:b.wav": tones.tone(500)}, "no clip is named"),
])
def test_a_bad_pack_is_refused_whole_and_the_old_one_stays(client, auth, files, says):
    good = tones.zip_of({"zh-CN/digit-1.wav": tones.tone(4100)})
    headers = auth.headers("manager-east")
    assert client.put("/api/v1/centers/east/voice/pack", data=good, headers=headers).status_code == 200
    bad = tones.zip_of({"zh-CN/digit-2.wav": tones.tone(600), **files})
    r = client.put("/api/v1/centers/east/voice/pack", data=bad, headers=headers)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "bad_pack" and says in r.get_json()["error"]["message"]
    clips = client.get("/api/v1/centers/east/voice?ticket=A12", headers=headers).get_json()["clips"]
    assert {c["clip"]: c["source"] for c in clips}["digit:1"] == "own"
    assert {c["clip"]: c["source"] for c in clips}["digit:2"] == "default"


@pytest.mark.parametrize("method, path, body, who, status", [
    ("PUT", "/voice/pack", b"not a zip", "manager-east", 400),
    ("PUT", "/voice/pack", b"", "manager-east", 400),
    ("PUT", "/voice/pack", b"x" * (33 * 1024 * 1024), "manager-east", 413),
    ("PUT", "/voice/pack", tones.zip_of({}), "manager-east", 400),
    ("PUT", "/voice/pack", tones.zip_of({"zh-CN/digit-1.wav": tones.tone(500)}), "staff-east", 403),
    ("PUT", "/voice/pack", tones.zip_of({"zh-CN/digit-1.wav": tones.tone(500)}), None, 401),
    ("GET", "/voice?ticket=零零一", None, "manager-east", 400),
    ("GET", "/voice?window=9", None, "manager-east", 400),
    ("GET", "/voice?window=x", None, "manager-east", 400),
    ("DELETE", "/voice/pack", None, "staff-east", 403),
])
def test_bad_requests_get_4xx(client, auth, method, path, body, who, status):
    headers = auth.headers(who) if who else {}
    r = client.open("/api/v1/centers/east" + path, method=method, data=body, headers=headers)
    assert r.status_code == status
    assert "error" in r.get_json()


@pytest.mark.parametrize("path", ["/audio/zh-CN/0123456789abcdef01234567.wav",
                                  "/audio/fr-FR/0123456789abcdef01234567.wav",
                                  "/audio/zh-CN/..%2f..%2fsecret.wav", "/audio/zh-CN/x.wav"])
def test_an_unknown_announcement_is_404(client, path):
    assert client.get(path).status_code == 404


def test_serving_keeps_a_pack_put_in_place_of_the_default_and_remakes_an_old_one_of_ours(tmp_path, tone_pack):
    from displays.voice import Voice
    kept = Voice(tone_pack, str(tmp_path / "d1"))
    before = open(os.path.join(tone_pack, "zh-CN", "digit-1.wav"), "rb").read()
    assert kept.packs.default_ready()               # a manifest not ours: never rebuilt over
    assert open(os.path.join(tone_pack, "zh-CN", "digit-1.wav"), "rb").read() == before
    ours = tmp_path / "ours"
    (ours / "zh-CN").mkdir(parents=True)
    (ours / "manifest.json").write_text('{"name": "default", "recipe": {"engine": "an older one"}}')
    assert not Voice(str(ours), str(tmp_path / "d2")).packs.default_ready()


SAYS = {"lang": "zh-CN", "template": "请{ticket}号到{window}办理", "repeat": 2}


def test_a_calls_file_is_written_after_it_is_named_or_when_first_asked_for(tmp_path, tone_pack):
    from displays.voice import Voice
    v = Voice(tone_pack, str(tmp_path / "voice"), make_missing=False)
    first = v.announce("east", SAYS, {"ticket": "A001", "window": 11, "window_name": "11号窗口"})
    second = v.announce("east", SAYS, {"ticket": "A002", "window": 11, "window_name": "11号窗口"})
    names = [p.rsplit("/", 1)[1][:-4] for p in (first, second)]
    files = [tmp_path / "voice" / "announcements" / "zh-CN" / f"{n}.wav" for n in names]
    assert not any(f.exists() for f in files)       # named: the call can go out before the file
    assert v.announcer.path_of("zh-CN", names[0]) == str(files[0])      # asked for first: made then
    pieces = tones.heard(files[0].read_bytes(), FREQS)
    assert [k for k, _, _ in pieces] == ["chime"] + SAYS_A001_AT_11 * 2
    assert not files[1].exists()
    v.flush()
    assert files[1].exists()
    assert v.announce("east", SAYS, {"ticket": "A002", "window": 11, "window_name": "11号窗口"}) == second


def test_a_relayed_call_is_made_here_too_and_served_under_the_callers_path(tmp_path, tone_pack):
    from displays.voice import Voice
    call = {"ticket": "A001", "window": 11, "window_name": "11号窗口"}
    caller = Voice(tone_pack, str(tmp_path / "caller"), make_missing=False)
    call["audio"] = caller.announce("east", SAYS, call)
    name = call["audio"].rsplit("/", 1)[1][:-4]
    same = Voice(tone_pack, str(tmp_path / "same-pack"), make_missing=False)        # another machine
    assert same.announcer.path_of("zh-CN", name) is None
    same.relayed("east", SAYS, call)
    assert same.announcer.path_of("zh-CN", name) is not None

    # a machine whose pack differs (another chime) says the same words with its own clips
    other_pack = tones.write_pack(str(tmp_path / "other-pack"), {**FREQS, "chime": FREQS["chime"] * 1.5})
    other = Voice(other_pack, str(tmp_path / "other"), make_missing=False)
    other.relayed("east", SAYS, call)
    other.flush()
    served = other.announcer.path_of("zh-CN", name)
    assert served is not None and not served.endswith(name + ".wav")
    with open(served, "rb") as f:
        data = f.read()
    assert tones.wav_seconds(data) > 1
