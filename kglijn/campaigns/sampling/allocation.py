"""How many units each stratum gets (docs/campaigns-sampling.md, "Allocation").

Pure functions over {stratum: population}; ties are broken by the stratum key, so the same
populations always give the same allocation.

- **Proportional**: n_h = n·N_h/N rounded by the largest remainder (Hamilton): every stratum
  gets the whole part of its quota, the units left over go one each to the strata with the
  largest fractional parts. The sizes add up to n exactly and never exceed N_h.
- **With a minimum per stratum**: every stratum first gets min(N_h, m); the rest (n − Σ) is
  allocated proportionally to the population that remains (N_h − min(N_h, m)) by largest
  remainder, each stratum capped at what it has left; what a full stratum cannot take goes to
  the others (`capped_largest_remainder`).
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from django.utils.translation import gettext as _


class AllocationError(ValueError):
    """The design cannot be drawn from these populations (the message says why, in Dutch)."""


def capped_largest_remainder(
    total: int, weights: Mapping[str, int], caps: Mapping[str, int]
) -> dict[str, int]:
    """Split `total` over the keys proportionally to `weights`, no key above its cap, by the
    largest remainder; a key whose quota reaches its cap gets the cap and the rest is split
    again over the others (repeated until no quota exceeds its cap). Exact arithmetic
    (fractions), ties broken by key. Requires 0 <= total <= sum(caps)."""
    if total < 0 or total > sum(caps.values()):
        raise ValueError("total outside 0..sum(caps)")
    result = dict.fromkeys(weights, 0)
    open_keys = sorted(key for key in weights if caps[key] > 0)
    left = total
    while left > 0 and open_keys:
        weight_sum = sum(weights[key] for key in open_keys)
        if weight_sum == 0:
            # No weight left (only empty remainders): fill in key order, up to the caps.
            for key in open_keys:
                take = min(caps[key] - result[key], left)
                result[key] += take
                left -= take
            break
        quotas = {key: Fraction(left * weights[key], weight_sum) for key in open_keys}
        full = [key for key in open_keys if quotas[key] >= caps[key] - result[key]]
        if full:
            for key in full:
                left -= caps[key] - result[key]
                result[key] = caps[key]
            open_keys = [key for key in open_keys if key not in full]
            continue
        whole = {key: int(quotas[key]) for key in open_keys}
        for key in open_keys:
            result[key] += whole[key]
        rest = left - sum(whole.values())
        by_remainder = sorted(open_keys, key=lambda key: (-(quotas[key] - whole[key]), key))
        for key in by_remainder[:rest]:
            result[key] += 1
        left = 0
    return result


def too_large(n: int, total: int) -> str:
    return _("The sample size (%(n)d) is larger than the population (%(total)d).") % {
        "n": n,
        "total": total,
    }


def allocate_proportional(populations: Mapping[str, int], n: int) -> dict[str, int]:
    """n_h = n·N_h/N by largest remainder; sums to n exactly, never above N_h."""
    total = sum(populations.values())
    if n > total:
        raise AllocationError(too_large(n, total))
    return capped_largest_remainder(n, populations, populations)


def allocate_minimum(populations: Mapping[str, int], n: int, minimum: int) -> dict[str, int]:
    """min(N_h, m) per stratum, the rest proportionally to the remaining population."""
    total = sum(populations.values())
    if n > total:
        raise AllocationError(too_large(n, total))
    base = {key: min(size, minimum) for key, size in populations.items()}
    if sum(base.values()) > n:
        raise AllocationError(
            _(
                "The minimum per stratum (%(minimum)d) over %(strata)d strata asks for "
                "%(needed)d units, more than the sample size (%(n)d)."
            )
            % {"minimum": minimum, "strata": len(populations), "needed": sum(base.values()), "n": n}
        )
    remaining = {key: populations[key] - base[key] for key in populations}
    extra = capped_largest_remainder(n - sum(base.values()), remaining, remaining)
    return {key: base[key] + extra[key] for key in populations}
