"""`hall demo`: the bundled district served with demo logins, open around the clock."""
import tempfile
from importlib import resources

import click
import yaml

DEMO_PASSWORD = "hall-demo"


def district():
    """The bundled catalogue, hours and daily quotas removed so that the demo is open whenever
    someone tries it, and its simulated crowd (many simulated days in one real one) never runs out."""
    data = yaml.safe_load(resources.files(__package__).joinpath("district.yaml").read_text(encoding="utf-8"))
    for c in data["centers"]:
        c.pop("hours", None)
        for q in c.get("queues", []):
            q.pop("daily_quota", None)
    return data


def prepare(hall):
    """Load the district and add the demo users and devices; returns what to print."""
    from .. import catalog
    from ..auth import hash_password, new_device_token, device_token_hash
    centers = catalog.parse(district())
    catalog.load(hall, centers, by="demo")
    password = hash_password(DEMO_PASSWORD)
    logins = [("admin", "admin", None)]
    hall.execute_district("add-user", {"username": "admin", "role": "admin", "password": password,
                                       "name": "系统管理员"}, by="demo")
    devices = {}
    for i, c in enumerate(centers):
        cid = c["id"]
        hall.execute_district("add-user", {"username": f"manager-{cid}", "role": "manager", "center": cid,
                                           "password": password, "name": "值班主任",
                                           "staff_no": f"M{i + 1:02d}01"}, by="demo")
        logins.append((f"manager-{cid}", "manager", cid))
        for w in c["windows"][:3]:
            name = f"staff-{cid}-{w['number']}"
            hall.execute_district("add-user", {
                "username": name, "role": "staff", "center": cid, "password": password,
                "name": _STAFF_NAMES[(i * 7 + w["number"]) % len(_STAFF_NAMES)],
                "staff_no": f"{i + 1:02d}{w['number']:03d}"}, by="demo")
            logins.append((name, "staff", cid))
        token = new_device_token()
        hall.execute_district("add-device", {"name": f"kiosk-{cid}", "kind": "kiosk", "center": cid,
                                             "token": device_token_hash(token)}, by="demo")
        devices[cid] = token
    return centers, logins, devices


_STAFF_NAMES = ("陈静", "李伟", "黄晓明", "梁丽萍", "张敏", "王芳", "刘洋", "吴婷", "周杰", "何嘉欣")


def run(host, port, speed):
    from ..app import create_app
    from ..config import read
    data_dir = read(defaults=False).get("DATA_DIR") or tempfile.mkdtemp(prefix="hall-demo-")
    app = create_app({"DATA_DIR": data_dir})
    centers, logins, devices = prepare(app.extensions["hall"])
    base = f"http://{host}:{port}"
    click.echo(f"Hall demo district — data in {data_dir}")
    for c in centers:
        cid = c["id"]
        click.echo(f"  {c['name']} ({cid}): {len(c['windows'])} windows, {len(c['items'])} items")
        click.echo(f"    kiosk          {base}/kiosk/{cid}?token={devices[cid]}")
        click.echo(f"    main screen    {base}/display/{cid}")
        click.echo(f"    window screen  {base}/display/{cid}/windows/1")
    click.echo(f"  staff console    {base}/staff")
    click.echo(f"  dashboard        {base}/manage")
    click.echo(f"  phone pages      {base}/m/   (booking: {base}/m/book)")
    click.echo(f"  API document     {base}/api/v1/openapi.json")
    click.echo(f"  logins (password {DEMO_PASSWORD}): " + ", ".join(u for u, _, _ in logins))
    from ..sim.actors import Actors
    Actors(app.extensions["hall"], centers, speed=speed, clock=app.config["CLOCK"]).start()
    click.echo(f"  simulated citizens and staff at {speed:g}× speed")
    from ..server import serve
    serve(app, host, port)
