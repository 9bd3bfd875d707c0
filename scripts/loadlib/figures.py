"""Figures the scripts report."""

import math


def percentile(values, fraction):
    """Nearest-rank percentile of `values` (NaN when there are none)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]
