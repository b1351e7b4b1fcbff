"""Response figures per year × förbund × group (003 table 2)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..catalog import Catalog
from ..codes import ALL_TOTAL, NATIONAL, PARTICIPANTS_TOTAL
from .reference import national_rows

_RESPONSE_COUNTS = [
    "asked", "unreachable", "answered", "answered_kvinna", "answered_man", "answered_ej_uppgett", "answered_utan_kon",
]


def response_stats(participation: pd.DataFrame, catalog: Catalog,
                   national_participation: pd.DataFrame | None = None) -> pd.DataFrame:
    """Response figures per year × förbund (and riket) × group, as in 003 table 2.

    Parameters
    ----------
    participation : DataFrame
        ``year, forbund, group, asked, unreachable, answered, answered_kvinna,
        answered_man, answered_ej_uppgett, answered_utan_kon`` (io contract).
    catalog : Catalog
        Group order, names and which groups are participants.

    Returns
    -------
    DataFrame
        ``year, forbund, group, group_name, order, asked, unreachable, answered,
        bortfall, response_rate, answered_kvinna, answered_man,
        answered_ej_uppgett, answered_utan_kon``. ``bortfall`` = asked −
        answered (003: "tillfrågade som inte svarat", so it includes the
        unreachable); ``response_rate`` = answered / asked (NaN when nobody was
        asked). Extra groups per year × förbund: ``deltagare_totalt`` (all
        participant groups, after them) and ``totalt`` (all groups, last).
        National rows have ``forbund = "riket"``: the sum over förbund, or
        the national reference for the years it holds.
    national_participation : DataFrame, optional
        The national reference's participation (columns of ``participation``
        without ``forbund``).
    """
    p = participation[["year", "forbund", "group", *_RESPONSE_COUNTS]].copy()
    p = p.astype({"year": int, "forbund": str, "group": str})
    p = p.groupby(["year", "forbund", "group"], sort=False)[_RESPONSE_COUNTS].sum().reset_index()
    nat = national_rows(p, national_participation, _RESPONSE_COUNTS)
    p = pd.concat([p, nat[p.columns]], ignore_index=True)
    groups = catalog.groups.set_index("group")
    participants = set(groups.index[groups["participant"]])
    part = p.loc[p["group"].isin(participants)]
    totals = [
        part.groupby(["year", "forbund"], sort=False)[_RESPONSE_COUNTS].sum().reset_index()
        .assign(group=PARTICIPANTS_TOTAL),
        p.groupby(["year", "forbund"], sort=False)[_RESPONSE_COUNTS].sum().reset_index().assign(group=ALL_TOTAL),
    ]
    df = pd.concat([p, *totals], ignore_index=True)
    last_participant = max(int(groups.loc[g, "order"]) for g in participants) if participants else 0
    order = {g: int(o) * 10 for g, o in groups["order"].items()}
    order[PARTICIPANTS_TOTAL] = last_participant * 10 + 5
    order[ALL_TOTAL] = 10_000
    names = dict(groups["name"])
    names[PARTICIPANTS_TOTAL] = "Deltagare totalt"
    names[ALL_TOTAL] = "Respondentgrupperna totalt"
    df["order"] = df["group"].map(order).fillna(9_999).astype(int)
    df["group_name"] = df["group"].map(names).fillna(df["group"])
    for c in _RESPONSE_COUNTS:
        df[c] = df[c].astype("int64")
    df["bortfall"] = (df["asked"] - df["answered"]).astype("int64")
    asked = df["asked"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        df["response_rate"] = np.where(asked > 0, df["answered"].to_numpy(dtype=float) / asked, np.nan)
    df = df.assign(_nat=(df["forbund"] == NATIONAL)).sort_values(
        ["year", "_nat", "forbund", "order", "group"], kind="mergesort"
    )
    cols = [
        "year", "forbund", "group", "group_name", "order", "asked", "unreachable", "answered", "bortfall",
        "response_rate", "answered_kvinna", "answered_man", "answered_ej_uppgett", "answered_utan_kon",
    ]
    return df[cols].reset_index(drop=True)
