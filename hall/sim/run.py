"""Simulated days of a centre through the real gateway, and the figures `hall simulate` prints."""
import json
from dataclasses import dataclass, field
from datetime import datetime, time as dtime

from ..core.clock import uncovered_years, zone
from ..core.config import CenterConfig, normalize_center
from .engine import Engine, in_memory, next_open_days, default_first_day
from .figures import split_days, day_figures
from .model import Options


@dataclass
class Simulation:
    center: str
    events: list
    days: list = field(default_factory=list)         # [(day, figures)]
    turned_away: int = 0
    calendar_uncovered: list = field(default_factory=list)   # years simulated without the official calendar


def simulate(center, days=1, seed=0, options=None, first_day=None, listeners=(), keep_log=True):
    """Run `days` opening days of a catalogue entry (raw or normalized dict) from `first_day`.

    Every change goes through the gateway (`hall.centre.Hall`) on an in-memory store, at simulated
    moments; `listeners` hear each append as the gateway's do (`fn(center_id, events, state)`, phase "learn").
    """
    raw = normalize_center(center)
    config = CenterConfig.from_dict(raw)
    backend = in_memory(raw["id"], listeners)
    engine = Engine(backend, config, options or Options(), seed=seed)
    dates = next_open_days(config, first_day or default_first_day(), days)
    tz = zone(config.timezone)
    # the catalogue is loaded the night before the first day
    backend.do("configure", {"config": raw}, datetime.combine(dates[0], dtime(0, 1), tz).timestamp(), "sim")
    for d in dates:
        engine.start_day(d)
        engine.run_until(datetime.combine(d, dtime(23, 59), tz).timestamp())
    log = backend.log
    sim = Simulation(center=raw["id"], events=log, turned_away=engine.turned_away,
                     calendar_uncovered=uncovered_years(config.hours, dates[0], dates[-1]))
    sim.days = [(day, day_figures(evs, config.timezone)) for day, evs in split_days(log)]
    if not keep_log:
        sim.events = []
    return sim


def totals(sim):
    """Figures over all simulated days (waits weighted by calls)."""
    figs = [f for _, f in sim.days]
    called = sum(f["called"] for f in figs)
    out = {k: sum(f[k] for f in figs) for k in ("tickets", "called", "served", "no_shows", "cancelled", "transferred")}
    out["mean_wait_s"] = (round(sum((f["mean_wait_s"] or 0) * f["called"] for f in figs) / called, 1)
                          if called else None)
    ps = [f["p90_wait_s"] for f in figs if f["p90_wait_s"] is not None]
    out["p90_wait_s"] = round(sum(ps) / len(ps), 1) if ps else None
    us = [f["utilisation"] for f in figs if f["utilisation"] is not None]
    out["utilisation"] = round(sum(us) / len(us), 3) if us else None
    out["turned_away"] = sim.turned_away
    return out


def write_log(events, path):
    """One event per line, as JSON: Hall's own event-log format (see LOG_FORMAT.md)."""
    with open(path, "w", encoding="utf-8") as f:
        for e in events:
            f.write(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")


def read_log(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def report_lines(sim):
    """What `hall simulate` prints: a line per day, then the total."""
    head = f"{'day':<12}{'tickets':>8}{'served':>8}{'mean wait':>11}{'p90 wait':>10}{'util':>7}{'no-shows':>10}"
    lines = [head]
    for day, f in sim.days:
        lines.append(_line(day, f))
    if len(sim.days) > 1:
        lines.append(_line("all days", totals(sim)))
    if sim.turned_away:
        lines.append(f"turned away (closed or quota reached): {sim.turned_away}")
    if sim.calendar_uncovered:
        from .history import uncovered_warning
        lines.append(uncovered_warning(sim.calendar_uncovered))
    return lines


def _line(label, f):
    def mins(s):
        return "-" if s is None else f"{s / 60:.1f} min"
    util = "-" if f["utilisation"] is None else f"{f['utilisation'] * 100:.0f}%"
    return (f"{label:<12}{f['tickets']:>8}{f['served']:>8}{mins(f['mean_wait_s']):>11}"
            f"{mins(f['p90_wait_s']):>10}{util:>7}{f['no_shows']:>10}")


def centre_of(center_id, catalog_file=None, echo=print):
    """(the catalogue entry, None) or (None, exit code) having said what is wrong."""
    from importlib import resources
    from .. import catalog
    from ..core.config import ConfigError
    try:
        if catalog_file:
            centers = catalog.read(catalog_file)
        else:
            import yaml
            text = resources.files("hall.demo").joinpath("district.yaml").read_text(encoding="utf-8")
            centers = catalog.parse(yaml.safe_load(text))
    except ConfigError as e:
        echo(f"error: {e}")
        return None, 2
    center = next((c for c in centers if c["id"] == center_id), None)
    if center is None:
        echo(f"error: no centre {center_id!r} in the catalogue (there are: {', '.join(c['id'] for c in centers)})")
        return None, 2
    return center, None


def command(center_id, days, seed, log=None, catalog_file=None, echo=print):
    """`hall simulate`: returns a process exit code; prints the figures (and where the log went)."""
    center, code = centre_of(center_id, catalog_file, echo)
    if center is None:
        return code
    sim = simulate(center, days=days, seed=seed)
    echo(f"{center['name']} ({center_id}), {days} day(s), seed {seed}")
    for line in report_lines(sim):
        echo(line)
    if log:
        write_log(sim.events, log)
        echo(f"event log: {len(sim.events)} events → {log}")
    return 0
