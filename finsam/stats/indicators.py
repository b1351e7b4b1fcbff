"""Indicator level: pooled key shares with Kish's effective n (see :mod:`finsam.stats`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import Catalog
from ..codes import ALL_GROUPS, CAVEAT_SMALL, NATIONAL, VIEWS
from ..settings import Settings
from .columns import order_columns
from .compare import add_comparisons, int_if_integral


_POOL_SUMS = [
    "n", "key_count", "count_negative", "count_neutral", "count_positive", "count_clearly_positive",
    "count_yes", "_likert_n", "_yes_n", "_nk", "_nn", "_r_k", "_r_n", "_unmatched", "_pos_k",
]
#: Σ over question pairs (j, k) of a group of min(n_j, n_k): the largest Σ w_i² the counts allow.
_KISH_SUMS = {"n": "_s_n", "_nn": "_s_nn", "_r_n": "_s_rn"}


def kish_effective_n(n_by_group) -> float:
    """Kish's effective sample size of a pooled share, from question counts per group.

    The pooled share Σ k / Σ n weights respondent i by the number of pooled
    questions answered, w_i; its variance with perfectly correlated answers is
    p(1 − p) Σw² / (Σw)², so n_eff = (Σw)² / Σw² (Kish 1965, §11.7). Without
    respondent-level data Σw² is taken at its largest value the counts allow:
    per group Σ_j Σ_k min(n_j, n_k) (nested answering); groups are different
    people.

    Parameters
    ----------
    n_by_group : sequence of sequences of float
        The answers per pooled question, one inner sequence per group.

    Returns
    -------
    float
        E.g. ``[[48, 48, 48], [48]]`` → 192² / (9·48 + 48) = 76.8.
    """
    total = 0.0
    sq = 0.0
    for ns in n_by_group:
        a = np.asarray(ns, dtype=float)
        total += a.sum()
        sq += np.minimum.outer(a, a).sum()
    return total**2 / sq if sq > 0 else float("nan")


def _kish_pairs(pub: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per ``keys`` (one group): Σ over question pairs of min(n_j, n_k) for n, national n and rest n."""
    cols = list(_KISH_SUMS)
    a = pub[keys + cols]
    m = a.merge(a, on=keys, suffixes=("", "_b"))
    out = pd.DataFrame({v: np.minimum(m[c].to_numpy(float), m[f"{c}_b"].to_numpy(float)) for c, v in _KISH_SUMS.items()})
    for k in keys:
        out[k] = m[k].to_numpy()
    return out.groupby(keys, sort=False)[list(_KISH_SUMS.values())].sum().reset_index()


def _join_sorted(frame: pd.DataFrame, keys: list[str], col: str) -> pd.DataFrame:
    """``keys`` + ``col`` joined with ``|`` over the sorted unique values of each group (vectorised)."""
    f = frame[keys + [col]].drop_duplicates().sort_values(keys + [col], kind="mergesort")
    if f.empty:
        return pd.DataFrame(columns=keys + [col])
    codes = f.groupby(keys, sort=False).ngroup().to_numpy()
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    text = (f[col].astype(str) + "|").to_numpy(dtype=object)
    joined = np.add.reduceat(text, starts)
    out = f.iloc[starts][keys].reset_index(drop=True)
    out[col] = [j[:-1] for j in joined]
    return out


def _pool(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    g = frame.groupby(keys, sort=False)
    out = g[_POOL_SUMS].sum()
    out["cells"] = g.size()
    joined = _join_sorted(frame, keys, "question").rename(columns={"question": "questions"})
    versions = _join_sorted(frame, keys, "_qv").rename(columns={"_qv": "_pool_set"})
    return out.reset_index().merge(joined, on=keys).merge(versions, on=keys).merge(_kish_pairs(frame, keys), on=keys)


def indicator_stats(
    cells: pd.DataFrame, settings: Settings, catalog: Catalog
) -> pd.DataFrame:
    """Pooled key share per year × förbund (and riket) × indicator × group × gender view.

    Parameters
    ----------
    cells : DataFrame
        Question cells after :func:`finsam.disclosure.apply_disclosure` (all
        years, with national rows). Without a ``withheld`` column every cell
        with answers is pooled.
    settings : Settings
        ``ci_method``, ``confidence``, ``margin_pp``, ``caution_n``.
    catalog : Catalog
        The key questions of each year and the display order of the groups.

    Returns
    -------
    DataFrame
        :data:`CONTRACT_COLUMNS` (``question`` empty, ``indicator`` int, ``n``
        the effective sample size) then extras: ``signif_national,
        signif_previous, key_count`` (effective), ``n_answers`` (Σ n of the
        pooled cells), ``cells`` (pooled), ``cells_withheld``, ``questions``
        (pooled ids, ``|``-joined), ``national_n, previous_n, group_order``.
        ``group`` is a group id (that group's questions) or ``"alla"`` (all
        groups: the indicator figure of the reports). The rule is in the module
        docstring.
    """
    q = cells.loc[:, [c for c in cells.columns if c in (
        "year", "forbund", "group", "question", "indicator", "gender", "n", "key_count", "scale", "withheld",
        "reason", "count_negative", "count_neutral", "count_positive", "count_clearly_positive", "count_yes",
    )]].copy()
    q["indicator"] = q["indicator"].astype(str).str.split("|")
    q = q.explode("indicator")
    q = q.loc[q["indicator"].astype(str) != ""]
    q["indicator"] = q["indicator"].astype(int)
    # Like with like: only the questions whose catalogue ``key`` is set count in the key share.
    q = q.merge(_key_versions(catalog, q["year"].unique()), on=["year", "question"], how="inner")
    q = q.loc[q["_key"] != ""].drop(columns="_key")
    if "withheld" not in q.columns:
        q["withheld"] = False
        q["reason"] = ""
    nn = q["n"].astype("Float64").fillna(0).to_numpy(dtype=float)
    published = ~q["withheld"].to_numpy(dtype=bool) & (nn > 0)

    pub = q.loc[published].copy()
    num = ["n", "key_count", "count_negative", "count_neutral", "count_positive", "count_clearly_positive", "count_yes"]
    for c in num:
        pub[c] = pub[c].astype(float)
    janej = (pub["scale"] == "janej").to_numpy()
    pub["_likert_n"] = np.where(janej, 0.0, pub["n"])
    pub["_yes_n"] = np.where(janej, pub["n"], 0.0)
    pub["_pos_k"] = np.where(janej, pub["count_yes"], pub["count_positive"])
    # Like-for-like national figure: the riket cells matching this förbund's pooled cells.
    cell_keys = ["year", "group", "question", "gender", "indicator"]
    nat = pub.loc[pub["forbund"] == NATIONAL, cell_keys + ["n", "key_count"]].rename(
        columns={"n": "_nat_n", "key_count": "_nat_k"}
    )
    pub = pub.merge(nat, on=cell_keys, how="left")
    is_fb = (pub["forbund"] != NATIONAL).to_numpy()
    matched = pub["_nat_n"].notna().to_numpy() & is_fb
    pub["_nk"] = np.where(matched, pub["_nat_k"], 0.0)
    pub["_nn"] = np.where(matched, pub["_nat_n"], 0.0)
    pub["_r_k"] = np.where(matched, pub["_nat_k"] - pub["key_count"], 0.0)
    pub["_r_n"] = np.where(matched, pub["_nat_n"] - pub["n"], 0.0)
    # A förbund cell whose riket cell is withheld: no like-for-like national figure for the pool.
    pub["_unmatched"] = (is_fb & ~matched).astype(float)

    gkeys = ["year", "forbund", "indicator", "gender", "group"]
    by_group = _pool(pub, gkeys)
    akeys = ["year", "forbund", "indicator", "gender"]
    ag = by_group.groupby(akeys, sort=False)
    all_groups = ag[_POOL_SUMS + ["cells", *_KISH_SUMS.values()]].sum()
    all_groups = (
        all_groups.reset_index()
        .merge(_join_sorted(pub, akeys, "question").rename(columns={"question": "questions"}), on=akeys)
        .merge(_join_sorted(pub, akeys, "_qv").rename(columns={"_qv": "_pool_set"}), on=akeys)
    )
    all_groups["group"] = ALL_GROUPS
    pooled = pd.concat([by_group, all_groups], ignore_index=True)
    # Kish effective n, (Σw)² / Σw² (see kish_effective_n), for the förbund, the nation and the rest.
    with np.errstate(invalid="ignore", divide="ignore"):
        for eff, total, sq in (("_n_eff", "n", "_s_n"), ("_nat_eff", "_nn", "_s_nn"), ("_r_eff", "_r_n", "_s_rn")):
            t = pooled[total].to_numpy(dtype=float)
            pooled[eff] = np.where(pooled[sq].to_numpy(dtype=float) > 0, t**2 / pooled[sq].to_numpy(dtype=float), 0.0)

    # Every indicator row that has underlying cells, published or not.
    total = pd.concat(
        [_reasons_of(q, gkeys), _reasons_of(q, akeys).assign(group=ALL_GROUPS)], ignore_index=True
    )
    df = total.merge(pooled, on=gkeys, how="left")
    df["cells"] = df["cells"].fillna(0).astype("int64")
    df["cells_withheld"] = (df["_all"] - df["cells"]).astype("int64")
    withheld = (df["cells"] == 0).to_numpy()

    with np.errstate(invalid="ignore", divide="ignore"):
        n_sum = df["n"].to_numpy(dtype=float)
        share = df["key_count"].to_numpy(dtype=float) / n_sum
        lik = df["_likert_n"].to_numpy(dtype=float)
        lik = np.where(lik > 0, lik, np.nan)
        yes_n = df["_yes_n"].to_numpy(dtype=float)
        yes_n = np.where(yes_n > 0, yes_n, np.nan)
        n_eff = np.where(withheld, np.nan, df["_n_eff"].to_numpy(dtype=float))
        # National comparison only when every pooled förbund cell has a published riket cell.
        comparable = (df["_unmatched"].fillna(0).to_numpy(dtype=float) == 0) & ~withheld
        nat_eff = np.where(comparable, df["_nat_eff"].to_numpy(dtype=float), np.nan)
        r_eff = np.where(comparable, df["_r_eff"].to_numpy(dtype=float), np.nan)
        nat_share = df["_nk"].to_numpy(dtype=float) / df["_nn"].to_numpy(dtype=float)
        r_share = df["_r_k"].to_numpy(dtype=float) / df["_r_n"].to_numpy(dtype=float)
        out = pd.DataFrame(
            {
                "year": df["year"].astype(int),
                "forbund": df["forbund"].astype(str),
                "group": df["group"].astype(str),
                "question": pd.Series(pd.NA, index=df.index, dtype="str"),
                "indicator": df["indicator"].astype(int),
                "gender": df["gender"].astype(str),
                "n": n_eff,
                "negative": df["count_negative"].to_numpy(dtype=float) / lik,
                "neutral": df["count_neutral"].to_numpy(dtype=float) / lik,
                "positive": df["count_positive"].to_numpy(dtype=float) / lik,
                "clearly_positive": df["count_clearly_positive"].to_numpy(dtype=float) / lik,
                "yes": df["count_yes"].to_numpy(dtype=float) / yes_n,
                "key_share": share,
                "key_count": share * n_eff,
                "_positive_k": df["_pos_k"].to_numpy(dtype=float) / n_sum * n_eff,
                "n_answers": n_sum,
                "cells": df["cells"],
                "cells_withheld": df["cells_withheld"],
                "questions": df["questions"].fillna(""),
                "_pool_set": df["_pool_set"],
                "_national": np.where(comparable & (nat_eff > 0), nat_share, np.nan),
                "_national_n": np.where(nat_eff > 0, nat_eff, np.nan),
                "_rest_k": r_share * r_eff,
                "_rest_n": np.where(r_eff > 0, r_eff, np.nan),
                "_reasons": df["_reasons"],
            }
        )
    # Like-for-like national figure and rest of the country (same cells), see the module docstring.
    out = add_comparisons(out, settings, ["group", "indicator", "gender"])
    wh = out["cells"].to_numpy() == 0
    out["withheld"] = wh
    out["reason"] = np.where(wh, out["_reasons"], "")
    out["caveat"] = np.where(~wh & (out["n"].to_numpy(dtype=float) < settings.caution_n), CAVEAT_SMALL, "")
    out["n"] = int_if_integral(out["n"])
    out["n_answers"] = int_if_integral(out["n_answers"])
    order = {ALL_GROUPS: 0}
    order.update(zip(catalog.groups["group"], catalog.groups["order"]))
    out["group_order"] = out["group"].map(order).astype("Int64")
    out = out.drop(columns=[c for c in out.columns if c.startswith("_")])
    helper = pd.DataFrame(
        {
            "_y": out["year"], "_nat": out["forbund"] == NATIONAL, "_f": out["forbund"], "_i": out["indicator"],
            "_g": out["group_order"].fillna(99).astype(int), "_gid": out["group"],
            "_v": out["gender"].map({v: i for i, v in enumerate(VIEWS)}),
        }
    )
    out = out.loc[helper.sort_values(list(helper.columns), kind="mergesort").index].reset_index(drop=True)
    return order_columns(out)


def _key_versions(catalog: Catalog, years) -> pd.DataFrame:
    """year, question, ``_key`` (catalogue column ``key``) and ``_qv`` (``question@version``) per valid version."""
    frames = []
    for year in sorted(set(int(y) for y in years)):
        v = catalog.questions_in(year).drop_duplicates("question")
        frames.append(pd.DataFrame({
            "year": year,
            "question": v["question"].astype(str).to_numpy(),
            "_key": v["key"].astype(str).to_numpy(),
            "_qv": (v["question"].astype(str) + "@" + v["version"].astype(str)).to_numpy(),
        }))
    if not frames:
        return pd.DataFrame(columns=["year", "question", "_key", "_qv"])
    return pd.concat(frames, ignore_index=True)


def _reasons_of(q: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Cells per key and the reason of a row without published cells.

    The common reason of the underlying withheld cells when they share one,
    else ``no_published``.
    """
    g = q.groupby(keys, sort=False)
    out = g.size().rename("_all").reset_index()
    w = q.loc[q["reason"].fillna("").astype(str) != ""]
    gw = w.groupby(keys, sort=False)["reason"]
    r = pd.DataFrame({"_nu": gw.nunique(), "_first": gw.first()}).reset_index()
    out = out.merge(r, on=keys, how="left")
    out["_reasons"] = np.where(out["_nu"] == 1, out["_first"], "no_published")
    return out.drop(columns=["_nu", "_first"])


# ---------------------------------------------------------------------------
# Response figures
