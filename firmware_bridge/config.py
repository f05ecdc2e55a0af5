"""The bridge's YAML configuration, checked with errors that say where.

    hall:
      url: http://127.0.0.1:5000
      token: dev_...            # `hall devices add NAME --kind bridge --center ID` printed it
      center: east              # the centre of every device that names none
      tokens: {west: dev_...}   # optional: another centre's bridge token
    state_dir: bridge-state     # evaluations waiting for the hall are kept here
    brightness: 10              # 0..15, every LED
    evaluation_timeout_s: 30
    texts: {idle: "{window} 欢迎您"}      # optional overrides of render.TEXTS
    lines:
      - port: /dev/serial/by-id/usb-FTDI-if00-port0
        baud: 9600
        protocol: hq485
        devices:
          - {address: 1, kind: keypad, window: 1}
          - {address: 2, kind: evaluator, window: 1}
          - {address: 3, kind: led, window: 1}
          - {address: 40, kind: bar, name: bar-entrance}
    transfer: {1: general, 2: police}   # optional: the keypad's queue digits (default: catalogue order)

Only `hall.url`, a token and `lines` are required; the token may come from $HALL_BRIDGE_TOKEN.
"""
import os
from dataclasses import dataclass, field

from .drivers import DRIVERS
from .process import read_yaml
from .render import TEXTS

KINDS = ("keypad", "evaluator", "led", "bar")
BAUDS = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class DeviceConfig:
    address: int
    kind: str
    center: str
    window: int = None
    name: str = None


@dataclass(frozen=True)
class LineConfig:
    port: str
    baud: int
    devices: tuple
    protocol: str = "hq485"
    reopen_max_s: float = 5.0


@dataclass(frozen=True)
class Config:
    url: str
    tokens: dict                  # centre → bridge token
    lines: tuple
    state_dir: str = "bridge-state"
    brightness: int = 10
    evaluation_timeout_s: int = 30
    texts: dict = field(default_factory=lambda: dict(TEXTS))
    transfer: dict = field(default_factory=dict)      # digit → queue id

    @property
    def centers(self):
        return sorted({d.center for ln in self.lines for d in ln.devices})


def load(path, need_token=True):
    raw = read_yaml(path, ConfigError)
    return parse(raw, base=os.path.dirname(os.path.abspath(path)), need_token=need_token)


def parse(raw, base=".", need_token=True):
    """A `Config`; `need_token=False` for the simulator, which plays the devices and never calls the hall."""
    if not isinstance(raw, dict):
        raise ConfigError("the configuration must be a mapping with hall: and lines:")
    unknown = set(raw) - {"hall", "lines", "state_dir", "brightness", "evaluation_timeout_s", "texts",
                            "transfer"}
    if unknown:
        raise ConfigError(f"unknown key {sorted(unknown)[0]!r} at the top level")
    hall = _mapping(raw.get("hall"), "hall")
    url = hall.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise ConfigError("hall.url must be the hall's address, e.g. http://127.0.0.1:5000")
    default_center = hall.get("center")
    token = hall.get("token") or os.environ.get("HALL_BRIDGE_TOKEN")
    tokens = dict(_mapping(hall.get("tokens") or {}, "hall.tokens"))
    lines_raw = raw.get("lines")
    if not isinstance(lines_raw, list) or not lines_raw:
        raise ConfigError("lines must list at least one serial line")
    lines, seen_ports = [], set()
    for i, ln in enumerate(lines_raw):
        line = _line(ln, f"lines[{i}]", default_center)
        if line.port in seen_ports:
            raise ConfigError(f"lines[{i}].port {line.port!r} appears twice")
        seen_ports.add(line.port)
        lines.append(line)
    transfer = {}
    for k, v in _mapping(raw.get("transfer") or {}, "transfer").items():
        digit = _int(k, "a transfer key", 1, 9)
        if not isinstance(v, str):
            raise ConfigError(f"transfer.{k} must be a queue id")
        transfer[digit] = v
    centers = {d.center for ln in lines for d in ln.devices}
    for c in centers:
        if c not in tokens:
            if not token and need_token:
                raise ConfigError(f"no bridge token for centre {c!r}: set hall.token, hall.tokens.{c} "
                                  "or $HALL_BRIDGE_TOKEN")
            tokens[c] = token
    texts = dict(TEXTS)
    for k, v in _mapping(raw.get("texts") or {}, "texts").items():
        if k not in TEXTS or not isinstance(v, str):
            raise ConfigError(f"texts.{k}: unknown text or not a string (known: {', '.join(TEXTS)})")
        texts[k] = v
    state_dir = raw.get("state_dir", "bridge-state")
    if not isinstance(state_dir, str):
        raise ConfigError("state_dir must be a directory path")
    return Config(url=url.rstrip("/"), tokens=tokens, lines=tuple(lines),
                  state_dir=os.path.join(base, state_dir), texts=texts, transfer=transfer,
                  brightness=_int(raw.get("brightness", 10), "brightness", 0, 15),
                  evaluation_timeout_s=_int(raw.get("evaluation_timeout_s", 30), "evaluation_timeout_s", 5, 255))


def _line(ln, where, default_center):
    ln = _mapping(ln, where)
    port = ln.get("port")
    if not isinstance(port, str) or not port:
        raise ConfigError(f"{where}.port must be a serial port path, e.g. /dev/ttyUSB0")
    baud = ln.get("baud", 9600)
    if baud not in BAUDS:
        raise ConfigError(f"{where}.baud must be one of {', '.join(map(str, BAUDS))}")
    protocol = ln.get("protocol", "hq485")
    if protocol not in DRIVERS:
        raise ConfigError(f"{where}.protocol: no driver {protocol!r} (known: {', '.join(DRIVERS)})")
    devs = ln.get("devices")
    if not isinstance(devs, list) or not devs:
        raise ConfigError(f"{where}.devices must list the devices on the line")
    devices, addresses, names = [], set(), set()
    for j, d in enumerate(devs):
        dw = f"{where}.devices[{j}]"
        d = _mapping(d, dw)
        address = _int(d.get("address"), dw + ".address", 1, 247)
        if address in addresses:
            raise ConfigError(f"{dw}.address {address} is used twice on this line")
        addresses.add(address)
        kind = d.get("kind")
        if kind not in KINDS:
            raise ConfigError(f"{dw}.kind must be one of {', '.join(KINDS)}")
        center = d.get("center", default_center)
        if not isinstance(center, str) or not center:
            raise ConfigError(f"{dw}: no centre (set center: here or hall.center)")
        window = d.get("window")
        if kind == "bar":
            if window is not None:
                raise ConfigError(f"{dw}: a bar shows the whole centre; it has no window")
        else:
            window = _int(window, dw + ".window", 1, 9999)
        name = d.get("name") or (f"{kind}-{window}" if window is not None else f"{kind}-{address}")
        if not isinstance(name, str) or len(name) > 64:
            raise ConfigError(f"{dw}.name must be text of at most 64 characters")
        if name in names:
            raise ConfigError(f"{dw}.name {name!r} is used twice")
        names.add(name)
        devices.append(DeviceConfig(address, kind, center, window, name))
    reopen = ln.get("reopen_max_s", 5.0)
    if not isinstance(reopen, (int, float)) or isinstance(reopen, bool) or not 0.05 <= reopen <= 300:
        raise ConfigError(f"{where}.reopen_max_s must be seconds between 0.05 and 300")
    return LineConfig(port, baud, tuple(devices), protocol, float(reopen))


def _mapping(v, where):
    if not isinstance(v, dict):
        raise ConfigError(f"{where} must be a mapping")
    return v


def _int(v, where, lo, hi):
    if isinstance(v, str) and v.isdigit():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise ConfigError(f"{where} must be a whole number from {lo} to {hi}")
    return v
