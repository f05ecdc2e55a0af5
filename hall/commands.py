"""The `hall` commands: serve, demo, simulate, catalog load, users add, devices add."""
import getpass
import importlib
import sys

import click

from .core.config import ConfigError
from .core.errors import Refused
from .store import Unavailable


def _hall():
    from .centre import Hall
    from .config import read
    from .store import open_store
    config = read()
    store = open_store(config["DATA_DIR"], config["REDIS_URL"], config["REDIS_WAIT_REPLICAS"])
    return Hall(store, clock=config["CLOCK"])


def _fail(message):
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@click.group(help="Hall: queues, tickets and calls for government service centres (政务服务中心).")
def cli():
    pass


def _log_to_stderr():
    """The hall's own notes (INFO and up: which centre loaded from what, what it relearns) and
    everyone's warnings, one line each, to stderr beside the server's own lines."""
    import logging
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger("hall").setLevel(logging.INFO)


@cli.command(help="Serve the web app with Socket.IO. Data in $HALL_DATA_DIR (SQLite) or $HALL_REDIS_URL.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--catalog", type=click.Path(dir_okay=False), help="load this YAML catalogue first")
def serve(host, port, catalog):
    from .app import create_app
    _log_to_stderr()
    try:
        app = create_app({"CATALOG": catalog} if catalog else None)
    except (ConfigError, Refused, Unavailable) as e:
        _fail(str(e))
    from .server import serve as run_server
    click.echo(f"Hall serving on http://{host}:{port}/", err=True)
    run_server(app, host, port)


@cli.command(help="Serve the bundled demo district, with demo logins, so that every screen moves.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--speed", default=1.0, show_default=True, type=click.FloatRange(0.1, 1000),
              help="how fast simulated time runs for the simulated citizens and staff")
def demo(host, port, speed):
    from .demo import run
    run(host, port, speed)


@cli.command(help="Simulate opening days of a centre through the real gateway; print waits, utilisation, no-shows "
             "(or, with --store, write them into the hall's store as history).")
@click.option("--center", required=True, help="centre id in the catalogue")
@click.option("--days", default=1, show_default=True, type=click.IntRange(1, 3650))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--log", "log_file", type=click.Path(dir_okay=False), help="write the event log here (JSON lines)")
@click.option("--catalog", "catalog_file", type=click.Path(dir_okay=False),
              help="catalogue YAML (default: the bundled demo district)")
@click.option("--store", "to_store", is_flag=True,
              help="write the days, ending yesterday, into the hall's store ($HALL_DATA_DIR or $HALL_REDIS_URL)")
def simulate(center, days, seed, log_file, catalog_file, to_store):
    if to_store:
        if log_file:
            _fail("--log and --store do not go together")
        from .sim.history import command as write
        sys.exit(write(center, days, seed, catalog_file, echo=click.echo))
    from .sim.run import command
    sys.exit(command(center, days, seed, log_file, catalog_file, echo=click.echo))


@cli.group(help="The catalogue of centres, queues, service items and windows.")
def catalog():
    pass


@catalog.command("load", help="Load or update centres, queues, items and windows from a YAML file.")
@click.argument("file", type=click.Path(dir_okay=False))
def catalog_load(file):
    from . import catalog as cat
    try:
        centers = cat.read(file)
        changed = cat.load(_hall(), centers)
    except (ConfigError, Refused, Unavailable) as e:
        _fail(str(e))
    for c in centers:
        click.echo(f"{c['id']}: {'updated' if c['id'] in changed else 'unchanged'} "
                   f"({len(c['queues'])} queues, {len(c['items'])} items, {len(c['windows'])} windows)")


@catalog.command("province", help="Print a generated province of centres over Guangdong (YAML, for "
                                   "`hall catalog load`): for scale tests and benches.")
@click.option("--centers", default=2000, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--seed", default=1, show_default=True, type=int)
def catalog_province(centers, seed):
    import yaml
    from .sim.province import province
    click.echo(yaml.safe_dump(province(centers, seed), allow_unicode=True, sort_keys=False, width=1000), nl=False)


@cli.group(help="Staff, managers and administrators.")
def users():
    pass


@users.command("add", help="Add a user (or set their password and role); the password is read from stdin.")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice(["staff", "manager", "admin"]))
@click.option("--center", help="the centre of a staff member or manager")
@click.option("--display-name", help="the name shown on the window screen, e.g. 张敏")
@click.option("--staff-no", help="工号, shown on the window screen")
def users_add(name, role, center, display_name, staff_no):
    from .auth import hash_password
    password = _read_password()
    try:
        _hall().execute_district("add-user", {
            "username": name, "role": role, "center": center, "name": display_name,
            "staff_no": staff_no, "password": hash_password(password)}, by="cli")
    except (Refused, Unavailable) as e:
        _fail(e.message)
    click.echo(f"user {name} ({role}{', ' + center if center else ''}) saved")


def _read_password():
    if sys.stdin.isatty():
        password = getpass.getpass("password: ")
        if getpass.getpass("again: ") != password:
            _fail("the passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 6:
        _fail("the password needs at least 6 characters")
    return password


@cli.group(help="Kiosks, displays and firmware bridges.")
def devices():
    pass


@devices.command("add", help="Register a device and print its token (shown once; keep it in the device).")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(["kiosk", "display", "bridge"]))
@click.option("--center", required=True)
def devices_add(name, kind, center):
    from .auth import new_device_token, device_token_hash
    token = new_device_token()
    try:
        _hall().execute_district("add-device", {"name": name, "kind": kind, "center": center,
                                                "token": device_token_hash(token)}, by="cli")
    except (Refused, Unavailable) as e:
        _fail(e.message)
    click.echo(token)


def _process_command(name, help, config_help, run):
    """A command that runs a process next to the hardware from its YAML (`--config FILE`).

    `run` is "package.module:function"; its package's `config.ConfigError` ends the command with the
    message. Both are imported when the command runs, so that `hall` starts without them.
    """
    module, function = run.split(":")

    @cli.command(name, help=help)
    @click.option("--config", "config_file", required=True, type=click.Path(dir_okay=False), help=config_help)
    def command(config_file):
        package = module.rsplit(".", 1)[0]
        config_error = importlib.import_module(f"{package}.config").ConfigError
        try:
            getattr(importlib.import_module(module), function)(config_file)
        except config_error as e:
            _fail(str(e))
    return command


bridge = _process_command(
    "bridge", "The firmware bridge: call keypads, evaluators and LED displays on RS-485 serial lines.",
    "the bridge's YAML: serial lines, devices, the hall's URL and the bridge's token",
    "firmware_bridge.cli:run_bridge")
bridge_sim = _process_command(
    "bridge-sim", "Simulated keypads, evaluators and LEDs on pseudo-terminals at a bridge config's ports.",
    "the same YAML the bridge reads", "firmware_bridge.cli:run_sim")
kiosk_agent = _process_command(
    "kiosk-agent", "A kiosk PC's own printer and ID-card reader, connected out to the hall.",
    "the agent's YAML: hall, token, center, id_reader, printer (kiosk/README.md)", "kiosk.agent.cli:run_agent")
kiosk_sim = _process_command(
    "kiosk-sim", "A simulated ID-card reader on a pseudo-terminal at a kiosk agent config's port.",
    "the same YAML the kiosk agent reads", "kiosk.agent.cli:run_sim")
