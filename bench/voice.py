"""Call → announcement ready to fetch: how long the hall takes to make a call's audio, and its size.

Builds (or reuses) the default voice pack ($HALL_VOICE_PACK, default ./.voice-pack), loads one
centre per language with 200 windows, and times the announcer for CALLS calls, each a ticket not
said before (cold: clips joined and the WAV written) and then the same calls again (cached: a
recall, or another screen asking). Clips are in memory after their first use, as in a running
hall; the very first announcement of a process (reading the pack's clips from disk) is reported
apart. Then, end to end in one process: from `call-next` through the gateway to the `call`
message with its `audio` at a screen (Flask-SocketIO's test client) and that file fetched from
the app. Prints one JSON object.

    python bench/voice.py [--calls 200]
"""
import argparse
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from displays.voice import Voice, engine  # noqa: E402
from hall import catalog  # noqa: E402
from hall.app import create_app  # noqa: E402
from hall.stats import percentile  # noqa: E402

TEMPLATES = {"zh-CN": "请{ticket}号到{window}办理", "zh-HK": "請{ticket}號到{n}號窗口辦理",
             "en-US": "Number {ticket}, please go to window {n}"}


def ms(values):
    return {"p50": round(percentile(values, 50), 2), "p99": round(percentile(values, 99), 2)}


def centre(cid, lang, windows=200):
    return {"id": cid, "name": "测试中心",
            "queues": [{"id": "general", "prefix": "A", "name": "综合", "category": "comprehensive"}],
            "windows": [{"number": n, "name": f"{n}号窗口", "queues": ["general"]} for n in range(1, windows + 1)],
            "voice": {"lang": lang, "template": TEMPLATES[lang], "repeat": 2}}


def announcer_figures(pack, calls):
    out = {}
    with tempfile.TemporaryDirectory() as data:
        v = Voice(pack, data, make_missing=False)
        for lang, template in TEMPLATES.items():
            settings = {"lang": lang, "template": template, "repeat": 2}
            t = time.perf_counter()
            first = v.announce("bench", settings, {"ticket": "Z999", "window": 999, "window_name": "999号窗口"})
            v.flush()
            first_ms = (time.perf_counter() - t) * 1000
            said = [{"ticket": f"A{i:03d}", "window": 1 + i % 200, "window_name": f"{1 + i % 200}号窗口"}
                    for i in range(calls)]
            cold, cached, sizes = [], [], []
            for c in said:
                t = time.perf_counter()
                path = v.announce("bench", settings, c)
                v.flush()           # written: ready to fetch (a running hall writes it once the call is out)
                cold.append((time.perf_counter() - t) * 1000)
                sizes.append(os.path.getsize(v.announcer.path_of(lang, path.rsplit("/", 1)[1][:-4])))
            for c in said:
                t = time.perf_counter()
                v.announce("bench", settings, c)
                cached.append((time.perf_counter() - t) * 1000)
            out[lang] = {"first_of_process_ms": round(first_ms, 1), "cold_ms": ms(cold), "cached_ms": ms(cached),
                         "audio_bytes": {"mean": round(sum(sizes) / len(sizes)), "max": max(sizes)},
                         "audio_seconds_mean": round(sum(sizes) / len(sizes) / 32000, 2), "ok": first is not None}
    return out


def end_to_end(pack, calls):
    with tempfile.TemporaryDirectory() as data:
        app = create_app({"DATA_DIR": data, "SECRET_KEY": "bench", "VOICE_PACK": pack, "VOICE_MAKE_MISSING": False})
        hall = app.extensions["hall"]
        catalog.load(hall, catalog.parse({"centers": [centre("e2e", "zh-CN")]}))
        screen = app.extensions["socketio"].test_client(app, auth={"center": "e2e"})
        client = app.test_client()
        for n in range(1, 201):
            hall.execute("e2e", "open", {"window": n})
        took, fetched = [], []
        for i in range(calls):
            hall.execute("e2e", "issue", {"queue": "general"})
            screen.get_received()
            t = time.perf_counter()
            hall.execute("e2e", "call-next", {"window": 1 + i % 200})
            [m] = [m["args"][0] for m in screen.get_received() if m["name"] == "call"]
            took.append((time.perf_counter() - t) * 1000)
            r = client.get(m["audio"])
            fetched.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        screen.disconnect()
        hall.store.close()
    return {"call_to_message_with_audio_ms": ms(took), "call_to_audio_fetched_ms": ms(fetched)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--calls", type=int, default=200)
    args = p.parse_args()
    pack = os.environ.get("HALL_VOICE_PACK") or os.path.join(ROOT, ".voice-pack")
    with tempfile.TemporaryDirectory() as data:
        if not Voice(pack, data).prepare():
            sys.exit("no default voice pack and no espeak-ng to build one (apt-get install espeak-ng)")
    per_lang = announcer_figures(pack, args.calls)
    cold = [v["cold_ms"]["p50"] for v in per_lang.values()]
    cold99 = [v["cold_ms"]["p99"] for v in per_lang.values()]
    cached99 = [v["cached_ms"]["p99"] for v in per_lang.values()]
    print(json.dumps({
        "calls": args.calls, "engine": engine.version(),
        "announcement_ready_ms_p50": {"cold": max(cold),
                                      "cached": max(v["cached_ms"]["p50"] for v in per_lang.values())},
        "announcement_ready_ms_p99": {"cold": max(cold99), "cached": max(cached99)},
        "audio_bytes_per_announcement": {k: v["audio_bytes"]["mean"] for k, v in per_lang.items()},
        "targets": {"cold_ms": 100, "cached_ms": 5},
        "by_language": per_lang,
        "end_to_end_zh_CN": end_to_end(pack, min(args.calls, 100)),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
