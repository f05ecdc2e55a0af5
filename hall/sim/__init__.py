"""The simulator: a centre's day played through the real gateway, and the demo's simulated people.

`simulate(center, days, seed)` runs seeded days (arrivals with a morning peak and a lunch dip,
the catalogue's item mix and service times, breaks, no-shows, transfers, priority tickets) through
the gateway on an in-memory store at simulated moments; `hall.sim.history` writes such days into a
hall's own store (`hall simulate --store`); `hall.sim.actors` drives the same people through the
gateway in real time for `hall demo`; `hall.sim.anonbank` imports a real queue log into Hall's
event-log format (`LOG_FORMAT.md`).
"""
from .model import Options
from .run import simulate, totals, write_log, read_log, Simulation

__all__ = ["Options", "simulate", "totals", "write_log", "read_log", "Simulation"]
