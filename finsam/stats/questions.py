"""Question level: shares, intervals and comparisons per cell (see :mod:`finsam.stats`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import CLASSES, Catalog
from ..codes import NATIONAL, VIEWS
from ..settings import Settings
from .columns import order_columns
from .compare import add_comparisons
from .reference import national_rows, reference_years

_KEYS = ["year", "forbund", "group", "question", "gender"]
_CLASSES = CLASSES  # answer classes of the catalogue's scales


def _question_versions(catalog: Catalog, years) -> pd.DataFrame:
    """year, question, group, number, text, scale, indicator (``|``-joined) per valid version."""
    frames = []
    for year in sorted(set(int(y) for y in years)):
        q = catalog.questions_in(year)
        frames.append(
            pd.DataFrame(
                {
                    "year": year,
                    "question": q["question"].astype(str).to_numpy(),
                    "group": q["group"].astype(str).to_numpy(),
                    "number": q["number"].astype(int).to_numpy(),
                    "text": q["text"].astype(str).to_numpy(),
                    "scale": q["scale"].astype(str).to_numpy(),
                    "indicator": q["indicator_list"].map(lambda xs: "|".join(str(x) for x in xs)).to_numpy(),
                    "_pool_set": (q["question"].astype(str) + "@" + q["version"].astype(str)).to_numpy(),
                }
            )
        )
    if not frames:
        return pd.DataFrame(
            columns=["year", "question", "group", "number", "text", "scale", "indicator", "_pool_set"]
        )
    return pd.concat(frames, ignore_index=True)


def _class_map(catalog: Catalog) -> pd.DataFrame:
    q = catalog.questions[["question", "scale"]].drop_duplicates("question")
    m = q.merge(catalog.class_table(), on="scale")
    return m.rename(columns={"code": "answer"})[["question", "answer", "class"]]


def _atom_counts(responses: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """Counts per class for year × förbund × group × question × view (alla, kvinna, man)."""
    keys = ["year", "forbund", "group", "question"]
    r = responses[keys + ["gender", "answer", "count"]].copy()
    for c in keys + ["gender"]:
        r[c] = r[c].astype(str) if c != "year" else r[c].astype(int)
    r["answer"] = r["answer"].astype(int)
    r = r.merge(_class_map(catalog), on=["question", "answer"], how="inner")
    r["view"] = np.where(r["gender"].isin(["kvinna", "man"]), r["gender"], "ovrig")
    wide = (
        r.groupby(keys + ["view", "class"], observed=True, sort=False)["count"].sum()
        .unstack("class", fill_value=0)
        .reindex(columns=list(_CLASSES), fill_value=0)
        .reset_index()
    )
    alla = wide.groupby(keys, observed=True, sort=False)[list(_CLASSES)].sum().reset_index()
    alla["view"] = "alla"
    out = pd.concat([wide.loc[wide["view"] != "ovrig"], alla], ignore_index=True)
    return out.rename(columns={"view": "gender"})


def question_stats(
    responses: pd.DataFrame,
    catalog: Catalog,
    settings: Settings,
    participation: pd.DataFrame | None = None,
    national: pd.DataFrame | None = None,
    national_participation: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Shares, intervals and comparisons per cell, *before* disclosure control.

    Parameters
    ----------
    responses : DataFrame
        ``year, forbund, group, question, gender, answer, count`` (io contract).
    catalog : Catalog
        Supplies valid questions per year, scales and answer classes.
    settings : Settings
        Interval method, confidence, margin and trend basis.
    participation : DataFrame, optional
        If given, adds ``answered`` (questionnaires answered in the cell's group
        and gender view) as an extra column.
    national : DataFrame, optional
        The national reference ``year, group, question, gender, answer,
        count``: the national rows of the years it holds are its counts
        (every question valid for a group it or the förbund have), not the
        sum over förbund.
    national_participation : DataFrame, optional
        ``answered`` of the national rows for the years it holds.

    Returns
    -------
    DataFrame
        One row per year × förbund × group × question × gender view for every
        (year, förbund, group) with any response row and every question valid
        for that group and year (n may be 0), plus the national rows
        (``forbund = "riket"``). Columns: :data:`CONTRACT_COLUMNS` except
        ``withheld, reason, caveat`` (added by
        :func:`finsam.disclosure.apply_disclosure`), then extras: ``signif_national,
        signif_previous, key_count, count_*`` (answers per class; ``count_positive``
        includes clearly positive), ``national_n, previous_n, scale, number, text,
        group_order`` (and ``answered``). Unknown answer codes are ignored (the
        validator reports them).
    """
    atoms = _atom_counts(responses, catalog)
    present = responses[["year", "forbund", "group"]].drop_duplicates()
    present = present.astype({"year": int, "forbund": str, "group": str})
    versions = _question_versions(catalog, present["year"].unique())
    grid = present.merge(versions, on=["year", "group"], how="inner")
    grid = grid.merge(pd.DataFrame({"gender": list(VIEWS)}), how="cross")
    cells = grid.merge(atoms, on=_KEYS, how="left")
    for c in _CLASSES:
        cells[c] = cells[c].fillna(0).astype("int64")

    meta_cols = ["number", "text", "scale", "indicator", "_pool_set"]
    covered = reference_years(national)
    summed = cells.loc[~cells["year"].isin(covered)]
    nat_rows = (
        summed.groupby(["year", "group", "question", "gender"], sort=False)[list(_CLASSES)].sum().reset_index()
    )
    nat_rows = nat_rows.merge(
        summed[["year", "group", "question"] + meta_cols].drop_duplicates(["year", "group", "question"]),
        on=["year", "group", "question"],
    )
    nat_rows["forbund"] = NATIONAL
    parts = [cells, nat_rows[cells.columns]]
    if covered:
        parts.append(_reference_cells(national, present, catalog)[cells.columns])
    cells = pd.concat(parts, ignore_index=True)

    df = _shares(cells)
    df = add_comparisons(df, settings, ["group", "question", "gender"]).drop(columns=["_pool_set"])
    order = dict(zip(catalog.groups["group"], catalog.groups["order"]))
    df["group_order"] = df["group"].map(order).astype("Int64")
    if participation is not None:
        df = _add_answered(df, participation, national_participation)
    return order_columns(_sort_cells(df))


def _reference_cells(national: pd.DataFrame, present: pd.DataFrame, catalog: Catalog) -> pd.DataFrame:
    """National cells of the years the reference covers, from its counts.

    The grid is every question valid that year for a group the reference or
    the förbund have; a question the reference lacks has n = 0.
    """
    nat = national.assign(forbund=NATIONAL)
    groups = pd.concat(
        [nat[["year", "group"]], present.loc[present["year"].isin(reference_years(national)), ["year", "group"]]],
        ignore_index=True,
    ).astype({"year": int, "group": str}).drop_duplicates()
    groups = groups.loc[groups["year"].isin(reference_years(national))]
    versions = _question_versions(catalog, groups["year"].unique())
    grid = groups.assign(forbund=NATIONAL).merge(versions, on=["year", "group"], how="inner")
    grid = grid.merge(pd.DataFrame({"gender": list(VIEWS)}), how="cross")
    cells = grid.merge(_atom_counts(nat, catalog), on=_KEYS, how="left")
    for c in _CLASSES:
        cells[c] = cells[c].fillna(0).astype("int64")
    return cells



def _shares(cells: pd.DataFrame) -> pd.DataFrame:
    c = cells
    n = c[list(_CLASSES)].sum(axis=1).astype("int64")
    janej = (c["scale"] == "janej").to_numpy()
    nf = n.to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        nz = np.where(nf > 0, nf, np.nan)
        pos_count = (c["positive"] + c["clearly_positive"]).to_numpy()
        likert = {
            "negative": c["negative"].to_numpy() / nz,
            "neutral": c["neutral"].to_numpy() / nz,
            "positive": pos_count / nz,
            "clearly_positive": c["clearly_positive"].to_numpy() / nz,
        }
        yes = c["yes"].to_numpy() / nz
    out = c[["year", "forbund", "group", "question", "indicator", "gender"]].copy()
    out["n"] = n
    for k, v in likert.items():
        out[k] = np.where(janej, np.nan, v)
    out["yes"] = np.where(janej, yes, np.nan)
    key_count = np.where(janej, c["yes"].to_numpy(), c["clearly_positive"].to_numpy()).astype("int64")
    out["key_share"] = key_count / nz
    out["key_count"] = key_count
    out["count_negative"] = c["negative"].astype("int64")
    out["count_neutral"] = c["neutral"].astype("int64")
    out["count_positive"] = pos_count.astype("int64")
    out["count_clearly_positive"] = c["clearly_positive"].astype("int64")
    out["count_yes"] = c["yes"].astype("int64")
    out["count_no"] = c["no"].astype("int64")
    for col in ("scale", "number", "text", "_pool_set"):
        out[col] = c[col].to_numpy()
    # Count of the positive share (positive incl. clearly positive; "Ja" for yes/no), the NNS trend basis.
    out["_positive_k"] = np.where(janej, c["yes"].to_numpy(), pos_count).astype(float)
    return out



def _add_answered(df: pd.DataFrame, participation: pd.DataFrame,
                  national_participation: pd.DataFrame | None = None) -> pd.DataFrame:
    p = participation.astype({"year": int, "forbund": str, "group": str})
    cols = {"alla": "answered", "kvinna": "answered_kvinna", "man": "answered_man"}
    per = p.groupby(["year", "forbund", "group"])[list(cols.values())].sum().reset_index()
    nat = national_rows(per, national_participation, list(cols.values()))
    per = pd.concat([per, nat[per.columns]], ignore_index=True)
    long = per.melt(id_vars=["year", "forbund", "group"], var_name="_col", value_name="_answered")
    long["gender"] = long.pop("_col").map({v: k for k, v in cols.items()})
    long = long.rename(columns={"_answered": "answered"})
    return df.merge(long, on=["year", "forbund", "group", "gender"], how="left").assign(
        answered=lambda d: d["answered"].astype("Int64")
    )


def _sort_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Deterministic order: year, förbund (riket last), group order, question number and id, view."""
    helper = pd.DataFrame(
        {
            "_y": df["year"].to_numpy(),
            "_nat": (df["forbund"] == NATIONAL).to_numpy(),
            "_f": df["forbund"].astype(str).to_numpy(),
            "_g": df["group_order"].fillna(0).astype(int).to_numpy(),
            "_gid": df["group"].astype(str).to_numpy(),
            "_num": df["number"].fillna(0).astype(int).to_numpy(),
            "_q": df["question"].astype(str).to_numpy(),
            "_v": df["gender"].map({v: i for i, v in enumerate(VIEWS)}).to_numpy(),
        },
        index=df.index,
    )
    order = helper.sort_values(list(helper.columns), kind="mergesort").index
    return df.loc[order].reset_index(drop=True)
