"""How long a window is busy with a ticket: robust lognormal fits by queue, window and hour.

A window is occupied from the call to the moment the ticket leaves it (finished, 过号 or sent on),
so that is what is learned. Fits are on the log of the durations, located by the median and scaled
by the MAD, which a forgotten ticket (three hours "in service") or a one-second misclick cannot move.
A window's and an hour's own figures enter as factors on their queue's, shrunk toward 1 while they
have few services behind them; a queue with few services leans on the catalogue's `service_s` and
`service_sigma`.
"""
import math
from collections import deque
from statistics import NormalDist

from ..core.clock import local

WINDOW_SHRINK = 15      # services a window needs before its own speed counts half
HOUR_SHRINK = 30
PRIOR_N = 5             # a queue's catalogue figures weigh as much as this many services
KEEP = 400              # recent durations kept per key: the fit follows the staff as they change
DEFAULT_PAUSE_S = 900.0
DAY_FADE = 0.9          # yesterday's arrivals count 0.9, the day before 0.81 …
_SQRT2 = math.sqrt(2.0)
_NORMAL = NormalDist()


def lognormal_mean_var(mu, s):
    m = math.exp(mu + s * s / 2)
    return m, m * m * (math.exp(s * s) - 1)


def residual(mu, s, elapsed):
    """(mean, variance) of S - a given S > a for a lognormal S(mu, s): the rest of a started service."""
    m, v = lognormal_mean_var(mu, s)
    if elapsed <= 0:
        return m, v
    if s < 0.05:
        return max(0.0, m - elapsed), 0.0
    z = (math.log(elapsed) - mu) / s
    tail = 0.5 * math.erfc(z / _SQRT2)
    if tail < 1e-6:
        # far in the tail: the rest is about as long as a fresh service's spread, never negative
        return max(m * 0.1, 1.0), v
    upper = 0.5 * math.erfc((z - s) / _SQRT2)
    mean_rest = m * upper / tail - elapsed
    return max(mean_rest, 0.0), v


def residual_quantile(mu, s, elapsed, u):
    """The u-quantile of S - a given S > a for a lognormal S(mu, s)."""
    if s < 0.05:
        return max(0.0, math.exp(mu + s * s / 2) - max(elapsed, 0.0))
    lo = 0.5 * math.erfc(-((math.log(elapsed) - mu) / s) / _SQRT2) if elapsed > 0 else 0.0
    p = min(1 - 1e-9, max(1e-9, lo + u * (1 - lo)))
    return max(0.0, math.exp(mu + s * _NORMAL.inv_cdf(p)) - max(elapsed, 0.0))


class RobustLog:
    """Recent log-durations of one key; median and MAD-scale, cached until the next sample."""
    __slots__ = ("values", "_fit")

    def __init__(self):
        self.values = deque(maxlen=KEEP)
        self._fit = None

    def add(self, seconds):
        self.values.append(math.log(max(seconds, 1.0)))
        self._fit = None

    def __len__(self):
        return len(self.values)

    def fit(self):
        if self._fit is None:
            v = sorted(self.values)
            n = len(v)
            med = _median(v)
            mad = _median(sorted(abs(x - med) for x in v)) if n > 1 else 0.0
            self._fit = (med, 1.4826 * mad)
        return self._fit


def _median(v):
    n = len(v)
    if n == 0:
        return 0.0
    h = n // 2
    return v[h] if n % 2 else (v[h - 1] + v[h]) / 2


class ServiceTimes:
    """Occupancy fits of one centre, fed with (queue, window, hour, seconds)."""

    def __init__(self):
        self.by_queue, self.by_window, self.by_hour = {}, {}, {}
        self.pauses = RobustLog()
        self.pickup = {}          # window → RobustLog of (1 + seconds) a free window let a ticket wait
        self.pickup_all = RobustLog()
        self.free_since = {}      # window → when it last became free (left by a ticket, opened, resumed)
        self.arrived = {}         # (queue, class, local hour) → tickets issued, fading by day
        self.days = 0.0           # days behind `arrived`, fading alike
        self._fits = {}           # log_fit's answers until the next service is added

    def add_arrival(self, queue, cls, hour):
        key = (queue, cls, hour)
        self.arrived[key] = self.arrived.get(key, 0.0) + 1.0

    def new_day(self):
        for key in self.arrived:
            self.arrived[key] *= DAY_FADE
        self.days = self.days * DAY_FADE + 1.0

    def arrival_rates(self, hour):
        """[(queue, class, tickets per second)] usual at this local hour (recent days weigh most)."""
        if self.days < 1.0:
            return []
        return [(q, c, n / self.days / 3600) for (q, c, h), n in self.arrived.items() if h == hour and n > 0]

    def add_pickup(self, window, seconds):
        r = self.pickup.get(window)
        if r is None:
            r = self.pickup[window] = RobustLog()
        r.add(1.0 + seconds)
        self.pickup_all.add(1.0 + seconds)

    def pickup_fit(self, window):
        """(mu, s) of 1 + the seconds between a window being free with a ticket for it and its call."""
        r = self.pickup.get(window)
        if r is not None and len(r) >= 20:
            return r.fit()
        if len(self.pickup_all) >= 20:
            return self.pickup_all.fit()
        return None

    def add(self, queue, window, hour, seconds):
        self._fits.clear()
        for table, key in ((self.by_queue, queue), (self.by_window, (queue, window)), (self.by_hour, (queue, hour))):
            r = table.get(key)
            if r is None:
                r = table[key] = RobustLog()
            r.add(seconds)

    def log_fit(self, qcfg, window, hour):
        """(mu, s) of the occupancy of a `qcfg` ticket at `window` in local `hour`."""
        key = (qcfg.id, qcfg.service_s, qcfg.service_sigma, window, hour)
        f = self._fits.get(key)
        if f is None:
            if len(self._fits) > 4096:
                self._fits.clear()
            f = self._fits[key] = self._log_fit(qcfg, window, hour)
        return f

    def _log_fit(self, qcfg, window, hour):
        prior_mu = math.log(qcfg.service_s) - qcfg.service_sigma ** 2 / 2
        prior_s = qcfg.service_sigma
        r = self.by_queue.get(qcfg.id)
        n = len(r) if r is not None else 0
        if n:
            mu_q, s_q = r.fit()
            wgt = n / (n + PRIOR_N)
            mu = wgt * mu_q + (1 - wgt) * prior_mu
            s = math.sqrt(wgt * s_q * s_q + (1 - wgt) * prior_s * prior_s) if n > 2 else prior_s
        else:
            mu_q, mu, s = prior_mu, prior_mu, prior_s
        for table, key, shrink in ((self.by_window, (qcfg.id, window), WINDOW_SHRINK),
                                   (self.by_hour, (qcfg.id, hour), HOUR_SHRINK)):
            r = table.get(key)
            if r is not None and len(r) > 2:
                k = len(r)
                mu += (r.fit()[0] - mu_q) * k / (k + shrink)
        return mu, s


class StateTimes:
    """Occupancies from the state alone: the catalogue's figures and today's services per queue."""

    def __init__(self, state, learned=None, now=None):
        self.state, self.learned = state, learned
        cfg = state.config
        self._queues = cfg.queues
        self._tz_offset = local(now or 0, cfg.timezone).utcoffset().total_seconds() if now else 0.0
        self._cache = {}
        self._occ = {}
        self._pickups = {}

    @property
    def tz_offset(self):
        return self._tz_offset

    def hour(self, at):
        return int(((at + self._tz_offset) // 3600) % 24)

    def _fit(self, queue, window, at):
        hour = self.hour(at)
        key = (queue, window, hour)
        f = self._cache.get(key)
        if f is None:
            q = self._queues[queue]
            if self.learned is not None:
                f = self.learned.log_fit(q, window, hour)
            else:
                f = self._today_fit(q)
            self._cache[key] = f
        return f

    def _today_fit(self, q):
        n, total = self.state.service.get(q.id, (0, 0.0))
        mean = (total + PRIOR_N * q.service_s) / (n + PRIOR_N)
        s = q.service_sigma
        return math.log(mean) - s * s / 2, s

    def occupancy(self, queue, window, at):
        key = (queue, window.number, self.hour(at))
        mv = self._occ.get(key)
        if mv is None:
            mv = self._occ[key] = lognormal_mean_var(*self._fit(queue, window.number, at))
        return mv

    def residual(self, ticket, window, now, u=None):
        """(mean, var) of the rest of the ticket at `window`; with `u`, its u-quantile as the point."""
        mu, s = self._fit(ticket.queue, window.number, now)
        m, v = residual(mu, s, now - (ticket.called_at or now))
        if u is None:
            return m, v
        return residual_quantile(mu, s, now - (ticket.called_at or now), u), v

    def arrivals(self, now):
        if self.learned is None:
            return []
        return self.learned.arrival_rates(self.hour(now))

    def pickup_left(self, window, now):
        """(mean, var) of the time a free window still takes to call: a keypad hall's is ~0; a call
        centre's agents wrap up first, or have stepped away."""
        fit = self.learned.pickup_fit(window.number) if self.learned is not None else None
        if fit is None:
            return 0.0, 0.0
        since = self.learned.free_since.get(window.number, window.since or now)
        m, v = residual(fit[0], fit[1], 1.0 + max(0.0, now - since))
        return m, v

    def pickup_mean(self, window):
        mv = self._pickups.get(window.number)
        if mv is None:
            fit = self.learned.pickup_fit(window.number) if self.learned is not None else None
            if fit is None:
                mv = (0.0, 0.0)
            else:
                m, v = lognormal_mean_var(*fit)
                mv = (max(0.0, m - 1.0), v)
            self._pickups[window.number] = mv
        return mv

    def pause_left(self, window, now):
        p = self.learned.pauses if self.learned is not None else None
        if p is not None and len(p) >= 5:
            mu, s = p.fit()
        else:
            mu, s = math.log(DEFAULT_PAUSE_S), 0.5
        return residual(mu, s, now - (window.since or now))
