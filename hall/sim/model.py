"""How a centre's day behaves: who comes when, for what, how long they take. Pure and seeded.

Everything random the simulator and the demo's actors do is drawn here from one `random.Random`,
so a seed fixes a day. The numbers are the shape of the source reports (a morning peak around
9:30–10:30, a lunch dip, a smaller afternoon wave), scaled to the catalogue's `tickets_per_day`,
its items' `weight`s and its queues' lognormal service times (`service_s` mean, `service_sigma`).
"""
import math
from dataclasses import dataclass, field

# Relative arrival intensity by half hour of the local day (index = hour * 2 + half).
# Unlisted half hours are 0.3: a centre open at odd hours still sees a few people.
_SHAPE = {
    16: 0.7, 17: 1.0,             # 08:00-09:00 doors open
    18: 1.4, 19: 1.7, 20: 1.8,    # 09:00-10:30 the morning peak
    21: 1.5, 22: 1.2, 23: 0.9,    # 10:30-12:00
    24: 0.5, 25: 0.4, 26: 0.4,    # 12:00-13:30 lunch
    27: 0.6, 28: 0.9, 29: 1.1,    # 13:30-15:00
    30: 1.1, 31: 1.0, 32: 0.9,    # 15:00-16:30
    33: 0.7, 34: 0.5, 35: 0.3,    # 16:30-18:00 the day winds down
}


def intensity(minute_of_day):
    """The arrival shape at a local minute of the day (1.0 = an average busy hour)."""
    return _SHAPE.get(int(minute_of_day // 30), 0.3)


@dataclass
class Options:
    """What a simulated day looks like beyond the catalogue. Defaults: a realistic hall."""
    tickets_per_day: float = None        # None: the catalogue's, else 40 per window
    priority_share: float = 0.05         # 绿色通道 tickets
    no_show: float = 0.04                # called but not there: recalled, then 过号
    recall_after_s: float = 30.0
    transfer: float = 0.03               # sent on to another queue at the end of service
    cancel: float = 0.02                 # give up while waiting (cancel the ticket)
    walk_s: tuple = (8.0, 35.0)          # from hearing the call to sitting at the window
    breaks_per_period: int = 1           # staff breaks (pause/resume) per opening period
    break_s: tuple = (600.0, 1200.0)
    staff_speed_sigma: float = 0.15      # windows differ: a lognormal factor per window
    staffed: float = 1.0                 # share of the catalogue's windows opened
    door_crowd: float = 0.0              # share of the day's citizens already at the door at opening
    arrival_shape: bool = True           # False: a constant rate (queueing-theory checks)
    exponential_service: bool = False    # True: exponential service times (M/M/c checks)
    hours: tuple = None                  # ((start_min, end_min), ...) overriding the catalogue
    surges: list = field(default_factory=list)     # [(queue, from_min, to_min, factor)]
    reassign: list = field(default_factory=list)   # [(minute, window, [queues], mode)]
    default_hours: tuple = ((8 * 60 + 30, 12 * 60), (13 * 60 + 30, 17 * 60 + 30))
    # 好差评: the share of citizens served who rate (0: none rate, and the other draws stay as they were),
    # and whether a simulated manager works the 差评 follow-ups each morning (verify, rectify, visit, reply)
    ratings: float = 0.0
    followups: bool = True

    @classmethod
    def plain(cls, **kw):
        """No breaks, no-shows, transfers or cancellations, constant arrivals: the textbook queue."""
        base = dict(priority_share=0.0, no_show=0.0, transfer=0.0, cancel=0.0, walk_s=(0.0, 0.0),
                    breaks_per_period=0, staff_speed_sigma=0.0, arrival_shape=False)
        base.update(kw)
        return cls(**base)


def lognormal_params(mean, sigma):
    """(mu, sigma) of a lognormal with this mean and log-scale sigma."""
    return math.log(mean) - sigma * sigma / 2, sigma


class Behaviour:
    """Draws for one centre: arrivals, items, priorities, service times, no-shows, breaks."""

    def __init__(self, config, options, rng):
        self.cfg, self.opt, self.rng = config, options, rng
        items = [it for it in config.items.values() if it.weight > 0]
        if items:
            self._choices = [(it.queue, it.id) for it in items]
            self._weights = [it.weight for it in items]
        else:
            qs = list(config.queues.values())
            self._choices = [(q.id, None) for q in qs]
            self._weights = [q.daily_quota or 1 for q in qs]
        self._cum = _cumulative(self._weights)
        self._totals = {}
        self._queue_share = {}
        total = sum(self._weights)
        for (q, _), w in zip(self._choices, self._weights):
            self._queue_share[q] = self._queue_share.get(q, 0) + w / total
        self.speed = {n: math.exp(rng.gauss(0, options.staff_speed_sigma)) if options.staff_speed_sigma else 1.0
                      for n in sorted(config.windows)}

    # --- arrivals ---
    def daily_volume(self):
        if self.opt.tickets_per_day is not None:
            return self.opt.tickets_per_day
        return self.cfg.tickets_per_day or 40 * len(self.cfg.windows)

    def rate_per_s(self, minute, periods_of_a_weekday):
        """Arrivals per second at a local minute, so that a full weekday brings the daily volume."""
        shape = intensity(minute) if self.opt.arrival_shape else 1.0
        key = tuple(periods_of_a_weekday)
        total = self._totals.get(key)
        if total is None:
            total = sum(_shape_integral(a, b, self.opt.arrival_shape) for a, b in key) or 1.0
            self._totals[key] = total
        return self.daily_volume() * shape / (total * 60)

    def surge(self, queue, minute):
        f = 1.0
        for q, a, b, factor in self.opt.surges:
            if q == queue and a <= minute < b:
                f *= factor
        return f

    def max_surge(self):
        return max([1.0] + [s[3] for s in self.opt.surges])

    def surge_share(self, minute):
        """Extra arrival factor of the whole centre at a minute (surges in one queue add to it)."""
        return sum(share * self.surge(q, minute) for q, share in self._queue_share.items())

    def pick(self, minute=None):
        """(queue, item) of the next citizen; a surging queue is picked more often."""
        if minute is not None and self.opt.surges:
            weights = [w * self.surge(q, minute) for (q, _), w in zip(self._choices, self._weights)]
            return self._choices[_draw(self.rng, _cumulative(weights))]
        return self._choices[_draw(self.rng, self._cum)]

    def priority(self):
        return "priority" if self.rng.random() < self.opt.priority_share else "normal"

    # --- at the window ---
    def service_s(self, queue, window):
        q = self.cfg.queues[queue]
        mean = q.service_s * self.speed.get(window, 1.0)
        if self.opt.exponential_service:
            return self.rng.expovariate(1.0 / mean)
        if q.service_sigma <= 0:
            return mean
        mu, s = lognormal_params(mean, q.service_sigma)
        return self.rng.lognormvariate(mu, s)

    def walk_s(self):
        a, b = self.opt.walk_s
        return a if b <= a else self.rng.uniform(a, b)

    def shows_up(self):
        return self.rng.random() >= self.opt.no_show

    def transfers(self):
        return self.rng.random() < self.opt.transfer

    def patience_s(self):
        """How long a citizen will wait before giving up, or None for someone who stays."""
        if self.rng.random() >= self.opt.cancel:
            return None
        return self.rng.uniform(600, 3600)

    def break_len_s(self):
        a, b = self.opt.break_s
        return self.rng.uniform(a, b)


def _shape_integral(a, b, shaped):
    if not shaped:
        return float(b - a)
    total, m = 0.0, float(a)
    while m < b:
        nxt = min(b, (m // 30 + 1) * 30)
        total += intensity(m) * (nxt - m)
        m = nxt
    return total


def _cumulative(weights):
    out, acc = [], 0.0
    for w in weights:
        acc += w
        out.append(acc)
    return out


def _draw(rng, cum):
    x = rng.random() * cum[-1]
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] > x:
            hi = mid
        else:
            lo = mid + 1
    return lo
