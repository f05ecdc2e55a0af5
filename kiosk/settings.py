"""Each kiosk's own settings: its printer, the guide's PIN, idle times, the hall's public address.

Read from the app config `KIOSKS` (a dict keyed by device name, tests and embedders) or from YAML
files in `$HALL_DATA_DIR/kiosks/`: `default.yaml` for every kiosk, then `<device name>.yaml`. A file
is read again when it changes, so an operator can swap a printer without restarting the hall.

    # $HALL_DATA_DIR/kiosks/kiosk-east.yaml
    printer: {kind: usb, vendor_id: 0x0416, product_id: 0x5011, paper_mm: 80}
    guide_pin: "2468"                        # 绿色通道 and reprints need it
    base_url: https://hall.example.gov.cn    # where phones reach /m/tickets/<id> (the QR code)
    idle_s: 45                               # back to the home screen after so long untouched
"""
import os
import re
from dataclasses import dataclass

import yaml

from .printer import check_spec

KEYS = ("printer", "guide_pin", "base_url", "idle_s", "ticket_idle_s", "fault_idle_s", "notice")


class SettingsError(ValueError):
    pass


@dataclass(frozen=True)
class KioskSettings:
    name: str
    printer: dict                 # checked printer spec (kind "none" when there is no printer)
    guide_pin: str = None
    base_url: str = None
    idle_s: int = 45              # any screen but home, untouched
    ticket_idle_s: int = 20       # the ticket screen after a good print
    fault_idle_s: int = 90        # the ticket screen when the print failed: time to take a photo
    notice: str = None            # the short notice at the foot of the ticket

    def public(self):
        """What the kiosk page may know about itself (never the PIN)."""
        return {"name": self.name, "printer": self.printer["kind"], "paper_mm": self.printer["paper_mm"],
                "has_pin": bool(self.guide_pin), "idle_s": self.idle_s, "ticket_idle_s": self.ticket_idle_s,
                "fault_idle_s": self.fault_idle_s}


def build(name, raw):
    """KioskSettings from a mapping; SettingsError names the bad field."""
    if not isinstance(raw, dict):
        raise SettingsError(f"kiosk {name}: settings must be a mapping")
    unknown = sorted(set(map(str, raw)) - set(KEYS))
    if unknown:
        raise SettingsError(f"kiosk {name}: unknown setting(s) {', '.join(unknown)}")
    try:
        printer = check_spec(raw.get("printer"))
    except ValueError as e:
        raise SettingsError(f"kiosk {name}: {e}") from None
    pin = raw.get("guide_pin")
    if pin is not None:
        pin = str(pin)
        if not re.fullmatch(r"\d{4,8}", pin):
            raise SettingsError(f"kiosk {name}: guide_pin must be 4 to 8 digits (quote it in YAML)")
    base = raw.get("base_url")
    if base is not None and (not isinstance(base, str) or not re.match(r"^https?://[^\s/]+", base)):
        raise SettingsError(f"kiosk {name}: base_url must start with http:// or https://")
    out = {"name": name, "printer": printer, "guide_pin": pin, "base_url": base.rstrip("/") if base else None}
    for key in ("idle_s", "ticket_idle_s", "fault_idle_s"):
        if raw.get(key) is not None:
            v = raw[key]
            if isinstance(v, bool) or not isinstance(v, int) or not 3 <= v <= 3600:
                raise SettingsError(f"kiosk {name}: {key} must be a whole number of seconds, 3 to 3600")
            out[key] = v
    if raw.get("notice") is not None:
        if not isinstance(raw["notice"], str) or len(raw["notice"]) > 200:
            raise SettingsError(f"kiosk {name}: notice must be text of at most 200 characters")
        out["notice"] = raw["notice"].strip()
    return KioskSettings(**out)


class SettingsSource:
    """Finds a kiosk's settings; files are cached and read again when they change."""

    def __init__(self, data_dir, config=dict):
        self.folder = os.path.join(data_dir, "kiosks")
        self.config = config                # () → {device name: settings}
        self._files = {}           # path → (mtime, data)

    def get(self, name):
        raw = {**self._mapping("default"), **self._mapping(name)}
        return build(name, raw)

    def _mapping(self, name):
        config = self.config()
        if name in config:
            return dict(config[name] or {})
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", name):
            return {}
        for ext in (".yaml", ".yml", ".json"):
            data = self._read(os.path.join(self.folder, name + ext))
            if data is not None:
                return data
        return {}

    def _read(self, path):
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return None
        cached = self._files.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            with open(path, encoding="utf-8") as f:
                data = yaml.safe_load(f) or {}     # YAML is a superset of JSON: one reader for both
        except (OSError, yaml.YAMLError) as e:
            raise SettingsError(f"cannot read {path}: {e}") from None
        if not isinstance(data, dict):
            raise SettingsError(f"{path}: expected a mapping of settings")
        self._files[path] = (mtime, data)
        return data
