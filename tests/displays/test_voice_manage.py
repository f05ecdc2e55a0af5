"""A manager hears the centre's announcement on the dashboard and uploads the centre's own pack."""
import pytest

from tests.helpers import always_open, small_center

from . import tones
from .conftest import login, shot


@pytest.fixture
def server(hall_server, tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_VOICE_PACK", tones.write_pack(str(tmp_path / "tone-pack"), tones.frequencies()))
    return hall_server(centers=[always_open(small_center("east"))]).start()


def sources(page):
    return page.evaluate("[...document.querySelectorAll('#vp-clips li')]"
                         ".map(li => [li.dataset.clip, li.dataset.source])")


def test_a_manager_hears_the_announcement_and_uploads_the_centres_own_clips(open_page, server, tmp_path):
    page = open_page(server.url + "/manage/east")
    login(page, "manager-east")
    page.wait_for_selector("#app:not([hidden])")
    page.click("#voice-card summary")
    page.fill("#vp-ticket", "B012")
    page.fill("#vp-window", "3")
    page.click("#vp-form button[type=submit]")
    page.wait_for_function("document.querySelectorAll('#vp-clips li').length > 0")
    assert sources(page)[:4] == [["chime", "default"], ["word:请", "default"], ["letter:B", "default"],
                                 ["digit:0", "default"]]
    page.wait_for_function("!document.getElementById('vp-player').paused || document.getElementById('vp-player').ended")
    src = page.evaluate("document.getElementById('vp-player').getAttribute('src')")
    assert src.startswith("/audio/zh-CN/")

    pack = tmp_path / "own.zip"
    pack.write_bytes(tones.zip_of({"zh-CN/digit-1.wav": tones.tone(4100.0), "zh-CN/letter-B.wav": tones.tone(4300.0)}))
    page.set_input_files("#vp-file", str(pack))
    page.click("#vp-upload button[type=submit]")
    page.wait_for_function("document.querySelector('#vp-clips li[data-clip=\"letter:B\"]')?.dataset.source === 'own'")
    assert dict(map(tuple, sources(page)))["digit:1"] == "own"
    assert page.evaluate("document.getElementById('vp-player').getAttribute('src')") != src
    shot(page, "manage-voice.png")

    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"not a zip")
    page.set_input_files("#vp-file", str(bad))
    page.click("#vp-upload button[type=submit]")
    page.wait_for_function("document.getElementById('message').dataset.kind === 'error'")
    assert "not a zip" in page.inner_text("#message")

    page.click("#vp-remove")
    page.wait_for_function("document.querySelector('#vp-clips li[data-clip=\"letter:B\"]')"
                           "?.dataset.source === 'default'")
