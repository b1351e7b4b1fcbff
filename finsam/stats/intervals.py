"""Intervals of one share and of a difference, the labels and arrows of the margin rule, funnel limits."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from ..codes import ARROW_DOWN, ARROW_FLAT, ARROW_UP, LABEL_HIGHER, LABEL_LOWER, LABEL_SAME

_STATSMODELS_METHOD = {"wilson": "wilson", "jeffreys": "jeffreys", "clopper_pearson": "beta"}


def proportion_ci(count, nobs, method: str, confidence: float):
    """Confidence interval of a share, vectorised.

    Parameters
    ----------
    count, nobs : array_like
        Numerators and denominators (may be non-integer effective counts).
        Where ``nobs`` is 0 or missing the limits are NaN.
    method : {"wilson", "jeffreys", "clopper_pearson"}
        Wilson score, Jeffreys (with the Brown–Cai–DasGupta boundary rule) or
        Clopper–Pearson exact interval (statsmodels ``"beta"``).
    confidence : float
        Confidence level, e.g. 0.95.

    Returns
    -------
    low, high : ndarray of float
    """
    if method not in _STATSMODELS_METHOD:
        raise ValueError(f"okänd intervallmetod {method!r}")
    count = np.atleast_1d(np.asarray(count, dtype=float))
    nobs = np.atleast_1d(np.asarray(nobs, dtype=float))
    count, nobs = np.broadcast_arrays(count, nobs)
    low = np.full(count.shape, np.nan)
    high = np.full(count.shape, np.nan)
    ok = np.isfinite(count) & np.isfinite(nobs) & (nobs > 0)
    if ok.any():
        c, n = count[ok], nobs[ok]
        lo, hi = proportion_confint(c, n, alpha=1 - confidence, method=_STATSMODELS_METHOD[method])
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        if method == "jeffreys":
            lo = np.where(c <= 0, 0.0, lo)
            hi = np.where(c >= n, 1.0, hi)
        low[ok] = np.clip(lo, 0.0, 1.0)
        high[ok] = np.clip(hi, 0.0, 1.0)
    return low, high


def newcombe_diff_ci(x1, n1, x2, n2, confidence: float):
    """Newcombe's hybrid score interval (method 10) for p1 − p2, vectorised.

    Uses statsmodels ``confint_proportions_2indep(method="newcomb")`` (Wilson
    limits of each share, no continuity correction). Where either ``n`` is 0 or
    missing the limits are NaN.

    Returns
    -------
    low, high : ndarray of float
    """
    arrays = np.broadcast_arrays(*(np.atleast_1d(np.asarray(a, dtype=float)) for a in (x1, n1, x2, n2)))
    x1, n1, x2, n2 = arrays
    low = np.full(x1.shape, np.nan)
    high = np.full(x1.shape, np.nan)
    ok = np.isfinite(x1) & np.isfinite(x2) & np.isfinite(n1) & np.isfinite(n2) & (n1 > 0) & (n2 > 0)
    if ok.any():
        lo, hi = confint_proportions_2indep(
            x1[ok], n1[ok], x2[ok], n2[ok], method="newcomb", compare="diff", alpha=1 - confidence
        )
        low[ok] = np.asarray(lo, dtype=float)
        high[ok] = np.asarray(hi, dtype=float)
    return low, high


def displayed_points(diff) -> np.ndarray:
    """Differences (fractions) in percentage points as displayed: rounded half up to one decimal.

    Exactly the number :func:`finsam.fmt.pp` prints (``Decimal(repr(100·d))``
    rounded half up, i.e. away from zero at ties), vectorised: the fast float
    rounding is replaced by the decimal one wherever a value lies within 1e-6
    of a tie. NaN stays NaN.
    """
    from decimal import ROUND_HALF_UP, Decimal

    v = np.atleast_1d(np.asarray(diff, dtype=float)) * 100.0
    out = np.sign(v) * np.floor(np.abs(v) * 10.0 + 0.5) / 10.0
    frac = np.abs(v) * 10.0 - np.floor(np.abs(v) * 10.0)
    near = np.isfinite(v) & (np.abs(frac - 0.5) < 1e-6)
    for i in np.flatnonzero(near):
        out[i] = float(Decimal(repr(float(v[i]))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
    return out + 0.0  # no negative zero


def _points(diff) -> np.ndarray:
    # The margin rule is applied to the displayed difference (settings.toml, [comparison]).
    return displayed_points(diff)


def comparison_label(diff, margin_pp: float) -> np.ndarray:
    """NNS label for differences given as fractions.

    Edge rule (settings.toml, ``margin_pp``): the rule is applied to the
    difference as displayed, in points rounded half up to one decimal
    (:func:`displayed_points`, the "+2,1 p.e." of the reports). "Högre" only
    when that is strictly greater than the margin, "Lägre" when strictly less
    than minus the margin, else "Varken högre eller lägre". So with margin 2:
    52,4 % vs 50,3 % (+2,1) → "Högre"; 52,04 % vs 50,00 % (displayed +2,0) →
    "Varken…". NaN gives ``None``.
    """
    pp = _points(diff)
    out = np.where(pp > margin_pp, LABEL_HIGHER, np.where(pp < -margin_pp, LABEL_LOWER, LABEL_SAME)).astype(object)
    out[np.isnan(pp)] = None
    return out


def trend_arrow(diff, margin_pp: float) -> np.ndarray:
    """Arrow ↑ / → / ↓ for differences (fractions), same edge rule as :func:`comparison_label`."""
    pp = _points(diff)
    out = np.where(pp > margin_pp, ARROW_UP, np.where(pp < -margin_pp, ARROW_DOWN, ARROW_FLAT)).astype(object)
    out[np.isnan(pp)] = None
    return out



def funnel_limits(p0: float, n, coverages) -> pd.DataFrame:
    """Binomial control limits around a national share, for funnel plots.

    Exact binomial quantiles with Spiegelhalter's (2005, appendix A.1.1)
    interpolation, which makes the step-shaped quantile a smooth curve: for
    probability ``q`` let ``r`` be the binomial ``q``-quantile of Bin(n, p0) and
    ``α = (F(r) − q) / (F(r) − F(r − 1))``; the limit is ``(r − α) / n``.

    Parameters
    ----------
    p0 : float
        The target (national) share, 0–1.
    n : array_like
        Sample sizes (> 0).
    coverages : sequence of float
        Two-sided coverages, e.g. ``settings.funnel_limits`` (0.95, 0.998).

    Returns
    -------
    DataFrame
        Long form: columns ``n``, ``coverage``, ``low``, ``high`` (fractions).
    """
    n = np.atleast_1d(np.asarray(n, dtype=float))
    frames = []
    for cov in coverages:
        limits = {}
        for name, q in (("low", (1 - cov) / 2), ("high", 1 - (1 - cov) / 2)):
            r = _sps.binom.ppf(q, n, p0)
            f_r = _sps.binom.cdf(r, n, p0)
            f_r1 = _sps.binom.cdf(r - 1, n, p0)
            with np.errstate(invalid="ignore", divide="ignore"):
                alpha = np.where(f_r > f_r1, (f_r - q) / (f_r - f_r1), 0.0)
                limits[name] = np.clip((r - alpha) / n, 0.0, 1.0)
        frames.append(pd.DataFrame({"n": n, "coverage": float(cov), **limits}))
    return pd.concat(frames, ignore_index=True)


