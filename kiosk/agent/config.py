"""The kiosk agent's YAML (CONTRACT.md, "Kiosk agent and ID cards").

    hall: http://192.168.1.10:5000        # the hall's base URL
    token: dev_...                          # this kiosk's device token (hall devices add ... --kind kiosk)
    center: east
    id_reader: {port: /dev/ttyUSB0, baudrate: 115200}   # absent: no reader (touch only)
    printer: {kind: usb, vendor_id: 0x0416, product_id: 0x5011, paper_mm: 80}   # as in the kiosk settings
"""
import re
from dataclasses import dataclass

from firmware_bridge.process import read_yaml

from ..printer import check_spec

KEYS = ("hall", "token", "center", "id_reader", "printer")


class ConfigError(ValueError):
    pass


@dataclass(frozen=True)
class AgentConfig:
    hall: str
    token: str
    center: str
    reader_port: str = None
    reader_baudrate: int = 115200
    printer: dict = None          # a checked printer spec (kind "none": the hall's page shows the ticket only)


def load(path, need_token=True):
    raw = read_yaml(path, ConfigError)
    return build(raw, need_token)


def build(raw, need_token=True):
    if not isinstance(raw, dict):
        raise ConfigError("the configuration must be a mapping with hall:, token:, center:")
    unknown = sorted(set(map(str, raw)) - set(KEYS))
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(unknown)}; expected {', '.join(KEYS)}")
    url = raw.get("hall")
    if not isinstance(url, str) or not re.match(r"^https?://[^\s/]+", url):
        raise ConfigError("hall: must be the hall's address, like http://192.168.1.10:5000")
    token = raw.get("token")
    if need_token and (not isinstance(token, str) or not token.strip()):
        raise ConfigError("token: must be this kiosk's device token (hall devices add NAME --kind kiosk)")
    center = raw.get("center")
    if not isinstance(center, str) or not re.fullmatch(r"[a-z0-9-]+", center):
        raise ConfigError("center: must be the centre's id, like east")
    out = {"hall": url.rstrip("/"), "token": (token or "").strip(), "center": center}
    reader = raw.get("id_reader")
    if reader is not None:
        if not isinstance(reader, dict) or not isinstance(reader.get("port"), str) or not reader["port"].strip():
            raise ConfigError("id_reader: must be {port: /dev/ttyUSB0, baudrate: 115200}")
        extra = sorted(set(map(str, reader)) - {"port", "baudrate"})
        if extra:
            raise ConfigError(f"id_reader: unknown key(s) {', '.join(extra)}")
        baud = reader.get("baudrate", 115200)
        if isinstance(baud, bool) or not isinstance(baud, int) or baud not in (9600, 19200, 38400, 57600, 115200):
            raise ConfigError("id_reader.baudrate must be 9600, 19200, 38400, 57600 or 115200")
        out.update(reader_port=reader["port"].strip(), reader_baudrate=baud)
    try:
        printer = check_spec(raw.get("printer"))
    except ValueError as e:
        raise ConfigError(str(e)) from None
    if printer["kind"] == "agent":
        raise ConfigError("printer.kind: agent is what the hall's kiosk settings say; here name the real printer")
    out["printer"] = printer
    return AgentConfig(**out)
