"""The national reference (``national.csv``, ``national_participation.csv``): its years and national rows."""

from __future__ import annotations

import pandas as pd

from ..codes import NATIONAL


def reference_years(national: pd.DataFrame | None) -> set[int]:
    """The years a national reference table covers (empty without one)."""
    if national is None or not len(national):
        return set()
    return {int(y) for y in national["year"]}


def national_rows(per: pd.DataFrame, national_participation: pd.DataFrame | None,
                  columns: list[str]) -> pd.DataFrame:
    """National participation rows: the reference for the years it holds, else the sum over förbund."""
    covered = reference_years(national_participation)
    summed = per.loc[~per["year"].isin(covered)]
    nat = summed.groupby(["year", "group"], sort=False)[columns].sum().reset_index()
    if covered:
        ref = national_participation.astype({"year": int, "group": str})
        ref = ref.groupby(["year", "group"], sort=False)[columns].sum().reset_index()
        nat = pd.concat([nat, ref], ignore_index=True)
    return nat.assign(forbund=NATIONAL)
