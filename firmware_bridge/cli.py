"""Entry points: `hall bridge --config FILE`, `hall bridge-sim --config FILE` (or python -m firmware_bridge)."""
import sys
import threading
import time

from . import config as cfgmod
from . import sim
from .bridge import Bridge
from .process import run_until_signalled, typed_commands


def run_bridge(path, stats_every_s=60):
    """Run the bridge until SIGINT/SIGTERM. Raises config.ConfigError on a bad file."""
    config = cfgmod.load(path)
    ports = ", ".join(f"{ln.port} ({ln.baud} baud, {len(ln.devices)} devices)" for ln in config.lines)
    run_until_signalled(lambda: Bridge(config).start(),
                        f"bridge to {config.url} for {', '.join(config.centers)} on {ports}",
                        "firmware_bridge", stats_every_s)


HELP = """commands:
  press ADDR KEY [DIGIT]   a keypad key: call-next recall start finish no-show transfer pause resume open close
  rate ADDR SCORE          an evaluator key: 5 非常满意 … 1 非常不满意
  off ADDR | on ADDR       power a device off or on
  unplug [LINE] | replug [LINE]
  show                     every device's display
  quit
ADDR may be LINE.ADDR (lines count from 1) when an address is on several lines."""


def run_sim(path, stdin=None, out=None, pace=True):
    """Play the devices of a bridge config on pseudo-terminals at its port paths; read commands from stdin."""
    stdin, out = stdin or sys.stdin, out or sys.stdout
    config = cfgmod.load(path, need_token=False)
    lines = [sim.build(lc, pace=pace).start() for lc in config.lines]
    for lc in config.lines:
        print(f"{lc.port}: {len(lc.devices)} simulated devices at {lc.baud} baud", file=out, flush=True)
    print(HELP, file=out, flush=True)
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(lines, out, stop), daemon=True)
    watcher.start()
    try:
        for words in typed_commands(stdin):
            try:
                print(_command(lines, words), file=out, flush=True)
            except (ValueError, KeyError, IndexError) as e:
                print(f"? {e}\n{HELP}", file=out, flush=True)
    finally:
        stop.set()
        for ln in lines:
            ln.stop()


def _device(lines, ref):
    if "." in ref:
        i, a = ref.split(".", 1)
        return lines[int(i) - 1][int(a)]
    for ln in lines:
        if int(ref) in ln.devices:
            return ln[int(ref)]
    raise KeyError(f"no device at address {ref}")


def _command(lines, words):
    cmd, args = words[0], words[1:]
    if cmd == "press":
        ok = _device(lines, args[0]).press(args[1], int(args[2]) if len(args) > 2 else 0)
        return "pressed" if ok else "refused (the keypad is offline)"
    if cmd == "rate":
        return "rated" if _device(lines, args[0]).press(int(args[1])) else "no prompt to answer"
    if cmd in ("off", "on"):
        d = _device(lines, args[0])
        d.power_off() if cmd == "off" else d.power_on()
        return f"{d.name} {cmd}"
    if cmd in ("unplug", "replug"):
        ln = lines[int(args[0]) - 1 if args else 0]
        ln.unplug() if cmd == "unplug" else ln.replug()
        return f"{ln.path} {cmd}ged"
    if cmd == "show":
        return "\n".join(_describe(d) for ln in lines for d in ln.devices.values())
    raise ValueError(f"unknown command {cmd!r}")


def _describe(d):
    if isinstance(d, sim.SimEvaluator):
        return f"{d.name}: {'「' + d.prompt[1] + '」' if d.prompt else '-'}"
    return f"{d.name}: " + " | ".join(f"「{t}」" for t in d.texts)


def _watch(lines, out, stop):
    seen = {}
    while not stop.wait(0.2):
        for ln in lines:
            for d in ln.devices.values():
                with d.lock:
                    new = d.history[seen.get(d.name, 0):]
                    seen[d.name] = len(d.history)
                for _at, what in new:
                    if what[0] in ("text", "prompt"):
                        print(f"{time.strftime('%H:%M:%S')} {d.name}: {what[1:]}", file=out, flush=True)
