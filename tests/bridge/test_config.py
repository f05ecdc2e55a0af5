"""The bridge's YAML: defaults, and errors that say where."""
import pytest
import yaml

from firmware_bridge import config


def good(**over):
    raw = {"hall": {"url": "http://127.0.0.1:5000/", "token": "dev_x", "center": "east"},
           "lines": [{"port": "/dev/ttyUSB0", "devices": [{"address": 1, "kind": "keypad", "window": 3},
                                                          {"address": 2, "kind": "bar"}]}]}
    raw.update(over)
    return raw


def test_defaults(tmp_path):
    path = tmp_path / "bridge.yaml"
    path.write_text(yaml.safe_dump(good(state_dir="st")), encoding="utf-8")
    c = config.load(str(path))
    assert c.url == "http://127.0.0.1:5000"
    assert c.tokens == {"east": "dev_x"}
    (line,) = c.lines
    assert (line.baud, line.protocol) == (9600, "hq485")
    assert [d.name for d in line.devices] == ["keypad-3", "bar-2"]
    assert c.state_dir == str(tmp_path / "st")


def test_the_token_may_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("HALL_BRIDGE_TOKEN", "dev_env")
    raw = good()
    del raw["hall"]["token"]
    assert config.parse(raw).tokens == {"east": "dev_env"}


@pytest.mark.parametrize("change, where", [
    (lambda r: r["hall"].update(url="ftp://x"), "hall.url"),
    (lambda r: r["lines"][0].update(baud=9601), "lines[0].baud"),
    (lambda r: r["lines"][0].update(protocol="acme"), "lines[0].protocol"),
    (lambda r: r["lines"][0]["devices"].append({"address": 1, "kind": "led", "window": 1}),
     "lines[0].devices[2].address"),
    (lambda r: r["lines"][0]["devices"].append({"address": 248, "kind": "led", "window": 1}),
     "lines[0].devices[2].address"),
    (lambda r: r["lines"][0]["devices"].append({"address": 9, "kind": "printer"}), "lines[0].devices[2].kind"),
    (lambda r: r["lines"][0]["devices"].append({"address": 9, "kind": "led"}), "lines[0].devices[2].window"),
    (lambda r: r["lines"][0]["devices"].append({"address": 9, "kind": "bar", "window": 2}), "no window"),
    (lambda r: r.update(brightness=16), "brightness"),
    (lambda r: r.update(transfer={0: "general"}), "transfer"),
    (lambda r: r.update(lines=[]), "lines"),
    (lambda r: r.update(colour="red"), "colour"),
    (lambda r: r.update(texts={"called": 3}), "texts.called"),
])
def test_errors_say_where(change, where):
    raw = good()
    change(raw)
    with pytest.raises(config.ConfigError, match=where.replace("[", r"\[").replace("]", r"\]")):
        config.parse(raw)


def test_no_token_anywhere_is_an_error(monkeypatch):
    monkeypatch.delenv("HALL_BRIDGE_TOKEN", raising=False)
    raw = good()
    del raw["hall"]["token"]
    with pytest.raises(config.ConfigError, match="no bridge token for centre 'east'"):
        config.parse(raw)


def test_an_unreadable_file_is_a_config_error(tmp_path):
    with pytest.raises(config.ConfigError, match="cannot read"):
        config.load(str(tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("hall: [", encoding="utf-8")
    with pytest.raises(config.ConfigError, match="not valid YAML"):
        config.load(str(bad))
