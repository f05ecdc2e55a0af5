"""Small statistics shared by the reports, the simulator's figures and the benches."""
import math


def percentile(values, p):
    """The p-th percentile (0..100), linear between ranks; None for no values."""
    if not values:
        return None
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)
