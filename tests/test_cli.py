"""The `hall` commands, run as an operator would (click's runner, a real data directory)."""
import pytest
import yaml
from click.testing import CliRunner

from hall.centre import Hall
from hall.commands import cli
from hall.store import open_store
from tests.helpers import small_center


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("HALL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("HALL_REDIS_URL", raising=False)
    runner = CliRunner()
    return lambda *args, input=None: runner.invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.fixture
def catalog_file(tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump({"centers": [small_center("east")]}, allow_unicode=True), encoding="utf-8")
    return str(path)


def stored(tmp_path):
    return Hall(open_store(str(tmp_path / "data")))


def test_catalog_load_then_reload_is_unchanged(run, catalog_file, tmp_path):
    r = run("catalog", "load", catalog_file)
    assert r.exit_code == 0 and "east: updated (3 queues, 2 items, 3 windows)" in r.output
    assert run("catalog", "load", catalog_file).output.startswith("east: unchanged")
    assert stored(tmp_path).state("east").config.name == "东区政务服务中心"


def test_bad_catalog_is_refused_with_the_path_of_the_error(run, tmp_path):
    bad = small_center("east")
    bad["windows"][0]["queues"] = ["nope"]
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"centers": [bad]}, allow_unicode=True), encoding="utf-8")
    r = run("catalog", "load", str(path))
    assert r.exit_code == 2 and "windows[0]" in r.output and "nope" in r.output
    assert stored(tmp_path).centre_ids() == []


def test_users_add_reads_the_password_from_stdin(run, catalog_file, tmp_path):
    run("catalog", "load", catalog_file)
    r = run("users", "add", "zhang", "--role", "staff", "--center", "east", "--display-name", "张敏",
            "--staff-no", "01007", input="s3cret-pw\n")
    assert r.exit_code == 0, r.output
    user = stored(tmp_path).district().users["zhang"]
    assert (user["role"], user["center"], user["name"]) == ("staff", "east", "张敏")
    assert "s3cret-pw" not in user["password"]


@pytest.mark.parametrize("args, message", [
    (["users", "add", "li", "--role", "staff"], "existing centre"),
    (["users", "add", "li", "--role", "staff", "--center", "nowhere"], "existing centre"),
    (["devices", "add", "k1", "--kind", "kiosk", "--center", "nowhere"], "existing centre"),
])
def test_refusals_exit_2_with_a_message(run, catalog_file, args, message):
    run("catalog", "load", catalog_file)
    r = run(*args, input="s3cret-pw\n")
    assert r.exit_code == 2 and message in r.output


def test_short_password_is_refused(run, catalog_file):
    run("catalog", "load", catalog_file)
    r = run("users", "add", "li", "--role", "manager", "--center", "east", input="123\n")
    assert r.exit_code == 2 and "at least 6" in r.output


def test_device_token_authenticates(run, catalog_file, tmp_path):
    from hall.app import create_app
    run("catalog", "load", catalog_file)
    token = run("devices", "add", "kiosk-1", "--kind", "kiosk", "--center", "east").output.strip()
    app = create_app({"DATA_DIR": str(tmp_path / "data")})
    me = app.test_client().get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json == {**me.json, "kind": "device", "name": "kiosk-1", "role": "kiosk", "center": "east"}


def _commands(group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,), cmd
        if hasattr(cmd, "commands"):
            yield from _commands(cmd, prefix + (name,))


@pytest.mark.parametrize("path, cmd", list(_commands(cli)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_and_a_readme_line(run, path, cmd):
    assert cmd.help, f"hall {' '.join(path)} has no help"
    assert run(*path, "--help").exit_code == 0
    if not hasattr(cmd, "commands"):
        readme = open("README.md", encoding="utf-8").read()
        assert f"hall {' '.join(path)}" in readme, f"README does not document hall {' '.join(path)}"


def test_catalog_province_prints_a_catalogue_that_loads(run, tmp_path):
    r = run("catalog", "province", "--centers", "30", "--seed", "5")
    assert r.exit_code == 0
    doc = yaml.safe_load(r.output)
    assert len(doc["centers"]) == 30 and r.output == run("catalog", "province", "--centers", "30", "--seed", "5").output
    assert all(20 <= c["location"][0] <= 26 and 109 <= c["location"][1] <= 118 for c in doc["centers"])
    path = tmp_path / "province.yaml"
    path.write_text(r.output, encoding="utf-8")
    loaded = run("catalog", "load", str(path))
    assert loaded.exit_code == 0 and loaded.output.count(": updated") == 30
    assert list(stored(tmp_path).state("gd-0030").config.location) == doc["centers"][29]["location"]
