"""Each kiosk's settings: from the app config or from YAML files that can change while the hall runs."""
import os

import pytest
import yaml

from kiosk.settings import SettingsError, SettingsSource, build


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(data, f, allow_unicode=True)


def test_defaults_without_any_file(tmp_path):
    s = SettingsSource(str(tmp_path)).get("kiosk-east")
    assert s.printer["kind"] == "none" and s.guide_pin is None and s.idle_s == 45
    assert s.public() == {"name": "kiosk-east", "printer": "none", "paper_mm": 80, "has_pin": False,
                          "idle_s": 45, "ticket_idle_s": 20, "fault_idle_s": 90}


def test_a_kiosk_file_overrides_the_default_file_and_is_read_again_when_it_changes(tmp_path):
    folder = tmp_path / "kiosks"
    write(str(folder / "default.yaml"), {"base_url": "https://hall.example.cn/", "guide_pin": "1357"})
    write(str(folder / "kiosk-east.yaml"), {"printer": {"kind": "file", "path": "/dev/usb/lp0", "paper_mm": 58}})
    source = SettingsSource(str(tmp_path))
    s = source.get("kiosk-east")
    assert (s.base_url, s.guide_pin, s.printer["paper_mm"]) == ("https://hall.example.cn", "1357", 58)
    write(str(folder / "kiosk-east.yaml"), {"printer": {"kind": "network", "host": "127.0.0.1"},
                                            "guide_pin": 2468})
    os.utime(folder / "kiosk-east.yaml", ns=(1, 10**18))        # a different mtime, whatever the clock
    s = source.get("kiosk-east")
    assert s.printer["kind"] == "network" and s.guide_pin == "2468"
    assert "guide_pin" not in s.public()


def test_the_app_config_comes_before_files(tmp_path):
    write(str(tmp_path / "kiosks" / "k1.yaml"), {"idle_s": 99})
    source = SettingsSource(str(tmp_path), lambda: {"k1": {"idle_s": 12}})
    assert source.get("k1").idle_s == 12


@pytest.mark.parametrize("raw, words", [
    ({"guide_pin": "12a4"}, "4 to 8 digits"),
    ({"guide_pin": "12"}, "4 to 8 digits"),
    ({"base_url": "hall.example.cn"}, "http://"),
    ({"idle_s": 1}, "3 to 3600"),
    ({"printer": {"kind": "usb"}}, "vendor_id"),
    ({"colour": "red"}, "colour"),
    ({"notice": "x" * 201}, "200"),
])
def test_bad_settings_say_which_field(raw, words):
    with pytest.raises(SettingsError) as e:
        build("kiosk-east", raw)
    assert words in str(e.value) and "kiosk-east" in str(e.value)


def test_a_broken_file_is_a_clear_error(tmp_path):
    path = tmp_path / "kiosks" / "kiosk-east.yaml"
    os.makedirs(path.parent)
    path.write_text("printer: [unclosed", encoding="utf-8")
    with pytest.raises(SettingsError) as e:
        SettingsSource(str(tmp_path)).get("kiosk-east")
    assert "kiosk-east.yaml" in str(e.value)


def test_a_name_that_is_not_a_file_name_reads_no_file(tmp_path):
    write(str(tmp_path / "secret.yaml"), {"guide_pin": "9999"})
    assert SettingsSource(str(tmp_path)).get("../secret").guide_pin is None
