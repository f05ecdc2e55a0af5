"""Small statistics shared by the reports, the simulator's figures, the estimator and the benches."""
import math
from bisect import bisect_left


def _at(v, k):
    """The value at fractional rank k of the sorted list v, linear between ranks."""
    lo = math.floor(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def percentile(values, p):
    """The p-th percentile (0..100), linear between ranks; None for no values."""
    if not values:
        return None
    v = sorted(values)
    return _at(v, (len(v) - 1) * p / 100)


def quantile(v, p):
    """The p-quantile (0..1) of the sorted, non-empty list v."""
    return _at(v, (len(v) - 1) * p)


def central_range(v, width):
    """(low, high) of the sorted list v holding `width` of its values even where many tie (most
    called at once, or most not waiting): the high end is taken `width` above what lies below the
    low end, not just at the symmetric quantile."""
    lo = quantile(v, (1 - width) / 2)
    below = bisect_left(v, lo) / len(v)
    return lo, quantile(v, min(1.0, below + width))
