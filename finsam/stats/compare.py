"""The comparison columns of a cell: its interval, the national and the previous-year comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..codes import NATIONAL
from ..settings import Settings
from .intervals import comparison_label, newcombe_diff_ci, proportion_ci, trend_arrow


def _signif(low, high) -> pd.array:
    low = np.asarray(low, dtype=float)
    high = np.asarray(high, dtype=float)
    res = pd.array((low > 0) | (high < 0), dtype="boolean")
    res[np.isnan(low) | np.isnan(high)] = pd.NA
    return res


def _set_comparison(df, name, label_column, labeler, diff, counts, margin, conf) -> None:
    """Write ``diff_<name>``, its label, Newcombe interval and significance flag into ``df``.

    ``counts`` is (k1, n1, k2, n2) of the two independent samples compared; the
    interval and the flag belong to k1/n1 − k2/n2 (``diff_rest`` for the
    national comparison, ``diff_previous`` for the previous year).
    """
    df[f"diff_{name}"] = diff
    df[label_column] = labeler(df[f"diff_{name}"], margin)
    lo, hi = newcombe_diff_ci(*counts, conf)
    df[f"diff_{name}_low"], df[f"diff_{name}_high"] = lo, hi
    df[f"signif_{name}"] = _signif(lo, hi)


def int_if_integral(values) -> pd.array | np.ndarray:
    """Nullable Int64 when every value is integral (or missing), else float."""
    a = np.asarray(values, dtype=float)
    finite = np.isfinite(a)
    if np.all(a[finite] == np.round(a[finite])):
        out = pd.array(np.where(finite, a, 0).astype("int64"), dtype="Int64")
        out[~finite] = pd.NA
        return out
    return a


def add_comparisons(df: pd.DataFrame, settings: Settings, cell: list[str]) -> pd.DataFrame:
    """Interval, national and previous-year columns (question and indicator level).

    ``df`` holds ``year, forbund, *cell, key_share, key_count, n`` (``n`` and
    ``key_count`` may be effective, non-integer counts). Optional columns:
    ``_national``/``_national_n`` override the national figure and its n
    (default: the riket row of the same cell), ``_rest_k``/``_rest_n`` the rest
    of the country (default: riket − förbund), ``_pool_set`` must be equal
    for a previous-year comparison (question id and wording version), and
    ``_positive_k`` is the count of the positive share (same ``n``), used for
    the previous-year comparison when ``settings.trend_basis`` is
    ``"positive"``.
    """
    df = df.copy()
    conf, margin = settings.confidence, settings.margin_pp
    k = df["key_count"].to_numpy(dtype=float)
    n = df["n"].to_numpy(dtype=float)
    share = df["key_share"].to_numpy(dtype=float)
    df["ci_low"], df["ci_high"] = proportion_ci(k, n, settings.ci_method, conf)

    # National comparison: förbund vs the rest of the country (independent samples).
    nat = df.loc[df["forbund"] == NATIONAL, ["year", *cell, "key_share", "key_count", "n"]]
    nat = nat.rename(columns={"key_share": "_nat_share", "key_count": "_nat_k", "n": "_nat_n"})
    df = df.merge(nat, on=["year", *cell], how="left", validate="many_to_one")
    is_nat = (df["forbund"] == NATIONAL).to_numpy()
    if "_national" in df.columns:
        national = np.where(is_nat, np.nan, df["_national"].to_numpy(dtype=float))
        nat_n = np.where(is_nat, np.nan, df["_national_n"].to_numpy(dtype=float))
    else:
        national = np.where(is_nat, np.nan, df["_nat_share"].to_numpy(dtype=float))
        nat_n = np.where(is_nat, np.nan, df["_nat_n"].to_numpy(dtype=float))
    if "_rest_k" in df.columns:
        rest_k = df["_rest_k"].to_numpy(dtype=float)
        rest_n = df["_rest_n"].to_numpy(dtype=float)
    else:
        rest_k = df["_nat_k"].to_numpy(dtype=float) - k
        rest_n = nat_n - n
    rest_n = np.where(is_nat, np.nan, rest_n)
    df["national"] = national
    df["national_n"] = int_if_integral(nat_n)
    _set_comparison(df, "national", "national_label", comparison_label, share - national,
                    (k, n, rest_k, rest_n), margin, conf)
    with np.errstate(invalid="ignore", divide="ignore"):
        rest_share = np.where(rest_n > 0, rest_k / rest_n, np.nan)
    # The difference the interval and "säkerställd" belong to (issue 15).
    df["diff_rest"] = np.where(np.isnan(national), np.nan, share - rest_share)

    # Previous year: same förbund, same cell (question id or indicator), same view, on the trend basis.
    if settings.trend_basis == "positive" and "_positive_k" in df.columns:
        k = df["_positive_k"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            share = np.where(n > 0, k / n, np.nan)
    df["_trend_share"], df["_trend_k"] = share, k
    prev_cols = ["year", "forbund", *cell, "_trend_share", "_trend_k", "n"]
    if "_pool_set" in df.columns:
        prev_cols.append("_pool_set")
    prev = df[prev_cols].rename(
        columns={"_trend_share": "_prev_share", "_trend_k": "_prev_k", "n": "_prev_n", "_pool_set": "_prev_set"}
    )
    prev["year"] = prev["year"] + 1
    df = df.merge(prev, on=["year", "forbund", *cell], how="left", validate="one_to_one")
    previous = df["_prev_share"].to_numpy(dtype=float)
    pk = df["_prev_k"].to_numpy(dtype=float)
    pn = df["_prev_n"].to_numpy(dtype=float)
    if "_pool_set" in df.columns:
        same = (df["_pool_set"] == df["_prev_set"]).fillna(False).to_numpy(dtype=bool)
        previous, pk, pn = (np.where(same, a, np.nan) for a in (previous, pk, pn))
    df["previous"] = previous
    df["previous_n"] = int_if_integral(pn)
    _set_comparison(df, "previous", "trend", trend_arrow, share - previous, (k, n, pk, pn), margin, conf)
    drop = [
        c for c in df.columns
        if c.startswith(("_nat_", "_prev_", "_rest_", "_trend_")) or c in ("_national", "_national_n", "_positive_k")
    ]
    return df.drop(columns=drop)
