"""The national reference: ``national.csv`` and ``national_participation.csv`` from a multi-förbund data set.

:func:`national_reference` builds the two tables NNS would hand to evaluators
(issue 13); :func:`write_national` writes them (``finsam national``).

What is written (withholding what the national report withholds)
-----------------------------------------------------------------
The national report of a year publishes the ``riket`` question cells after the
small-n rules of :mod:`finsam.disclosure`. The reference gives no more:

1. Only years with at least ``min_forbund_national`` förbund with answers.
   With fewer, the national figure is mostly one or two förbund, and
   "national minus my förbund" would be another förbund's own answers.
2. A question whose national cell (all genders) is withheld (``min_n``,
   ``no_answers``) is left out entirely: no national figure for it.
3. A question whose national gender split is withheld (``gender_min_n``,
   ``residual``, ``complement``) is written with every answer under gender
   ``utan_kon`` (no gender given): the national total, without a split.
4. Otherwise ``kvinna`` and ``man`` are written as such and the other answers
   (``ej_uppgett`` and ``utan_kon``, which the report never shows separately)
   together under ``utan_kon``.
5. Answer counts stay per answer code (the form the data format takes); rows
   with count 0 are not written.
6. ``national_participation.csv`` is the sum of ``participation`` over förbund
   for the same years: questionnaire counts, published in full as in the NNS
   reports (003 tables 2–4).

Rows are sorted (year, group, question, gender, answer), so the same data give
the same bytes; files are written atomically.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ._atomic import atomic_write_text
from .errors import FinsamError
from .reading import OPTIONAL_TABLES
from .settings import DEFAULT_SETTINGS, Settings
from .stats import NATIONAL

#: The gender code under which answers without a published gender split are written.
POOLED_GENDER = "utan_kon"
#: File names of the reference.
NATIONAL_FILES = {name: f"{name}.csv" for name in OPTIONAL_TABLES}


class NationalError(FinsamError, ValueError):
    """The data set cannot give a national reference (no year with enough förbund)."""


def reference_years(dataset, settings: Settings) -> list[int]:
    """Years with at least ``settings.min_forbund_national`` förbund with answers."""
    r = dataset.responses
    counts = r.groupby(r["year"].astype(int))["forbund"].nunique()
    return sorted(int(y) for y, c in counts.items() if c >= settings.min_forbund_national)


def national_reference(dataset, settings: Settings | None = None, *, catalog=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The national reference tables of a multi-förbund data set.

    Parameters
    ----------
    dataset : finsam.io.Dataset
        Data for several förbund (its own national reference, if any, is
        ignored: the reference is the sum over its förbund).
    settings : Settings, optional
        ``min_forbund_national`` and the small-n rules (default
        ``DEFAULT_SETTINGS``).
    catalog : Catalog, optional
        Default :func:`finsam.catalog.load_catalog`.

    Returns
    -------
    national, national_participation : DataFrame
        Columns as in :data:`finsam.reading.OPTIONAL_TABLES`; the rule of what
        is written is in the module docstring.

    Raises
    ------
    NationalError
        When no year has enough förbund.
    """
    from dataclasses import replace

    from .results import compute_all

    settings = settings or DEFAULT_SETTINGS
    years = reference_years(dataset, settings)
    if not years:
        raise NationalError(
            f"Ingen riksreferens: inget år i data har minst {settings.min_forbund_national} förbund med svar "
            "(inställningen min_forbund_national)."
        )
    own = replace(dataset, national=None, national_participation=None)
    q = compute_all(own, settings, catalog=catalog, years=years).question
    riket = q.loc[q["forbund"] == NATIONAL]
    shown = ~riket["withheld"].astype(bool)
    qkey = ["year", "group", "question"]
    total_ok = riket.loc[shown & (riket["gender"] == "alla"), qkey].drop_duplicates()
    split_ok = riket.loc[shown & (riket["gender"] == "kvinna"), qkey].drop_duplicates().assign(_split=True)

    r = dataset.responses.astype({"year": int, "group": str, "question": str, "gender": str, "answer": int})
    r = r.loc[r["year"].isin(years)]
    r = r.merge(total_ok, on=qkey, how="inner").merge(split_ok, on=qkey, how="left")
    split = r["_split"].fillna(False).astype(bool) & r["gender"].isin(["kvinna", "man"])
    r["gender"] = r["gender"].where(split, POOLED_GENDER)
    columns = OPTIONAL_TABLES["national"]
    nat = r.groupby(columns[:-1], sort=False)["count"].sum().reset_index()
    nat = nat.loc[nat["count"] > 0, columns].astype({"count": "int64"})
    nat = nat.sort_values(columns[:-1], kind="mergesort").reset_index(drop=True)

    pcols = OPTIONAL_TABLES["national_participation"]
    p = dataset.participation.astype({"year": int, "group": str})
    p = p.loc[p["year"].isin(years)]
    npart = p.groupby(["year", "group"], sort=True)[pcols[2:]].sum().reset_index()[pcols]
    npart = npart.astype({c: "int64" for c in pcols if c != "group"}).reset_index(drop=True)
    return nat, npart


def _csv_text(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def write_national(dataset, out: str | Path, settings: Settings | None = None, *, catalog=None) -> dict[str, Path]:
    """Write ``national.csv`` and ``national_participation.csv`` into ``out`` (created if needed).

    Returns
    -------
    dict
        Table name → the file written.
    """
    nat, npart = national_reference(dataset, settings, catalog=catalog)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, df in (("national", nat), ("national_participation", npart)):
        path = out / NATIONAL_FILES[name]
        atomic_write_text(path, _csv_text(df))
        written[name] = path
    return written


__all__ = ["NATIONAL_FILES", "NationalError", "POOLED_GENDER", "national_reference", "reference_years",
           "write_national"]
