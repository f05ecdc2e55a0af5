"""Entry points: `hall kiosk-agent --config FILE` and `hall kiosk-sim --config FILE`."""
import sys

from firmware_bridge.process import run_until_signalled, typed_commands

from . import config as cfgmod
from .agent import Agent


def run_agent(path, stats_every_s=60):
    """Run the agent until SIGINT/SIGTERM. Raises config.ConfigError on a bad file."""
    config = cfgmod.load(path)
    reader = f"ID-card reader on {config.reader_port}" if config.reader_port else "no ID-card reader"
    run_until_signalled(lambda: Agent(config).start(),
                        f"kiosk agent for {config.center} at {config.hall}: {config.printer['kind']} printer, {reader}",
                        "kiosk.agent", stats_every_s)


HELP = """commands:
  lay [NAME NUMBER]   lay a card on the reader (default: a sample card 张三 born 1949)
  remove              take the card away
  unplug | replug     pull the reader's cable out, put it back
  quit"""

SAMPLE = {"name": "张三", "sex": "1", "nation": "01", "birth": "19491231", "address": "北京市朝阳区某某路1号",
          "number": "11010519491231002X", "authority": "北京市公安局朝阳分局", "valid_from": "20150101",
          "valid_to": "长期"}


def run_sim(path, stdin=None, out=None):
    """A simulated ID-card reader at the agent config's `id_reader.port`; commands from stdin."""
    from ..idcard_sim import SimReader
    stdin, out = stdin or sys.stdin, out or sys.stdout
    config = cfgmod.load(path, need_token=False)
    if not config.reader_port:
        raise cfgmod.ConfigError("the configuration names no id_reader.port to simulate")
    sim = SimReader(config.reader_port).start()
    print(f"{config.reader_port}: a simulated ID-card reader\n{HELP}", file=out, flush=True)
    try:
        for words in typed_commands(stdin):
            print(_command(sim, words), file=out, flush=True)
    finally:
        sim.stop()


def _command(sim, words):
    cmd, args = words[0], words[1:]
    if cmd == "lay":
        card = dict(SAMPLE)
        if len(args) >= 2:
            card.update(name=args[0], number=args[1].upper(), birth=args[1][6:14])
        sim.lay(card)
        return "card laid"
    if cmd == "remove":
        sim.remove()
        return "card removed"
    if cmd in ("unplug", "replug"):
        sim.unplug() if cmd == "unplug" else sim.replug()
        return f"reader {cmd}ged"
    return f"? unknown command {cmd!r}\n{HELP}"
