"""`hall bridge` and `hall bridge-sim` as an operator runs them."""
import yaml
from click.testing import CliRunner

from hall.commands import cli


def run(*args, input=None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_a_bad_config_is_refused_with_where_it_is_wrong(tmp_path):
    path = tmp_path / "bridge.yaml"
    path.write_text(yaml.safe_dump({"hall": {"url": "http://127.0.0.1:5000", "token": "t", "center": "east"},
                                    "lines": [{"port": "/dev/ttyUSB0", "baud": 9601, "devices": []}]}))
    for command in ("bridge", "bridge-sim"):
        r = run(command, "--config", str(path))
        assert r.exit_code == 2 and "lines[0].baud must be one of" in r.output
    r = run("bridge", "--config", str(tmp_path / "missing.yaml"))
    assert r.exit_code == 2 and "cannot read" in r.output


def test_the_simulator_plays_the_configured_devices_at_their_ports(tmp_path):
    port = tmp_path / "ttyRS485-0"
    path = tmp_path / "bridge.yaml"
    path.write_text(yaml.safe_dump({
        "hall": {"url": "http://127.0.0.1:5000", "token": "t", "center": "east"},
        "lines": [{"port": str(port), "devices": [{"address": 1, "kind": "keypad", "window": 3},
                                                  {"address": 2, "kind": "evaluator", "window": 3},
                                                  {"address": 3, "kind": "led", "window": 3}]}]}))
    r = run("bridge-sim", "--config", str(path), input="show\npress 1 call-next\nrate 2 5\nfrobnicate\nquit\n")
    assert r.exit_code == 0, r.output
    assert f"{port}: 3 simulated devices at 9600 baud" in r.output
    assert "keypad-3: 「」 | 「」" in r.output and "evaluator-3: -" in r.output
    # nobody polls it: the keypad refuses the press, as a real one would
    assert "refused (the keypad is offline)" in r.output
    assert "no prompt to answer" in r.output
    assert "? unknown command 'frobnicate'" in r.output
    assert not port.exists()          # the simulated adapter is unplugged on the way out


def test_the_bridge_imports_nothing_of_the_hall():
    import subprocess
    import sys
    code = ("import sys, firmware_bridge.cli, firmware_bridge.bridge, firmware_bridge.sim, firmware_bridge.__main__; "
            "print(sorted(m for m in sys.modules if m == 'hall' or m.startswith('hall.')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
