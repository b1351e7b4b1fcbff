"""Plan the build: which reports exist, and a hash of each one's inputs.

Jobs
----
* ``forbund``: each förbund × year present in the data → ``<year>/<forbund>.ipynb``
* ``riket``: each year → ``<year>/riket.ipynb``
* ``indikator``: each questionnaire indicator → ``indikatorer/<n>.ipynb``

Input hashes (incremental build)
--------------------------------
Every job hashes its template's bytes, the finsam version and source files
(package ``*.py``/``*.toml`` and the catalogue CSVs), the settings fingerprint,
its parameters and its front matter, plus its slice of the data:

* förbund job: this förbund's name and its response and participation rows for
  *every year up to the report year* (the report compares with the year before
  and its "Utveckling över tid" section shows every earlier year), and the
  *national figures it compares with at the precision the report shows them*:
  national shares per group × question × gender view and per group ×
  indicator × gender view, and national response rates per group, each
  rounded to 0.1 percentage point, for every year up to the report year (the
  trend section draws the national line for all of them).
  Product decision: a change in another förbund's data re-executes this report
  only if it moves a displayed national figure. (Comparison labels that depend
  on the rest of the country at full precision are not hashed; use ``--force``
  for a publication build.)
* riket job: every row of the year and the year before, and all names.
  (The national report has no section over earlier years.)
* indikator job: every row of every year, and all names.

Hashing works on the loaded tables with vectorised row hashes, so a no-op
build costs little more than loading the data.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ._paths import CATALOG_DIR, PACKAGE_DIR
from .hashing import sha256

from .codes import INDICATOR_DIR  # noqa: E402,F401 - re-exported for the build
#: Decimals of a share in percent as the reports show it.
DISPLAY_DECIMALS = 1


def code_fingerprint() -> str:
    """finsam version + hash of the package sources and the catalogue files."""
    from .hashing import package_fingerprint

    return package_fingerprint()


# ---------------------------------------------------------------------------
# data slices
# ---------------------------------------------------------------------------
def _group_digests(df: pd.DataFrame, keys: list[str]) -> dict[tuple, str]:
    """sha256 of each group's rows, independent of row order."""
    if df.empty:
        return {}
    cols = sorted(df.columns)
    d = df[cols].sort_values(cols, kind="stable").reset_index(drop=True)
    rows = pd.util.hash_pandas_object(d, index=False).to_numpy()
    out = {}
    for key, idx in d.groupby(keys, sort=True).indices.items():
        key = key if isinstance(key, tuple) else (key,)
        out[tuple(str(k) for k in key)] = hashlib.sha256(np.sort(rows[idx]).tobytes()).hexdigest()
    return out


@dataclass
class DataDigests:
    """Per förbund × year digests of the raw rows and per-year national figures."""

    slices: dict[tuple[str, str], str]
    national: dict[str, str]
    names: dict[str, str]
    names_digest: str

    def forbund_part(self, forbund: str, year: int) -> str:
        """Digest of what a förbund's report for ``year`` shows: its rows and the
        rounded national figures of every year up to ``year``, and its name."""
        year = int(year)
        parts = [f"name={self.names.get(forbund, forbund)}"]
        for (f, y), digest in sorted(self.slices.items()):
            if f == forbund and int(y) <= year:
                parts.append(f"{y}:{digest}")
        for y, digest in sorted(self.national.items()):
            if int(y) <= year:
                parts.append(f"national {y}:{digest}")
        return sha256(*parts)

    def years_part(self, years) -> str:
        wanted = {str(y) for y in years}
        parts = [f"{k[0]}/{k[1]}:{v}" for k, v in sorted(self.slices.items()) if k[1] in wanted]
        return sha256(self.names_digest, *parts)


def data_digests(dataset, catalog) -> DataDigests:
    """Digests of every förbund × year slice and of each year's national figures."""
    resp = _group_digests(dataset.responses, ["forbund", "year"])
    part = _group_digests(dataset.participation, ["forbund", "year"])
    slices = {k: sha256(resp.get(k, "-"), part.get(k, "-")) for k in sorted(set(resp) | set(part))}
    names = dict(zip(dataset.forbund["forbund"].astype(str), dataset.forbund["name"].astype(str)))
    names_digest = sha256(json.dumps(names, sort_keys=True, ensure_ascii=False))
    return DataDigests(slices, national_digests(dataset, catalog), names, names_digest)


def _rounded(num: pd.Series, den: pd.Series) -> pd.Series:
    share = (num / den.where(den > 0)) * 100
    return share.round(DISPLAY_DECIMALS)


def national_figures(dataset, catalog) -> pd.DataFrame:
    """National figures at display precision: one row per year × level × group × item × gender view.

    ``level`` is ``question``, ``indicator`` or ``participation``; ``key`` and
    ``positive`` are shares in percent rounded to 0.1 (key share = clearly
    positive or yes; positive = positive + clearly positive or yes).
    """
    r = dataset.responses
    # The question version valid each year (the catalogue's own rule).
    versions = pd.concat(
        [catalog.questions_in(int(y))[["question", "scale", "indicator_list"]].assign(year=int(y))
         for y in sorted(r["year"].unique())],
        ignore_index=True,
    )
    classes = catalog.class_table().rename(columns={"code": "answer"})
    classes = classes.assign(is_key=classes["class"] == classes["scale"].map(catalog.key_class))
    m = r.merge(versions, on=["year", "question"], how="inner")
    m = m.merge(classes, on=["scale", "answer"], how="inner")
    m = m.assign(
        key=m["count"].where(m["is_key"], 0),
        pos=m["count"].where(m["class"].isin(["positive", "clearly_positive", "yes"]), 0),
    )
    views = [m.assign(view="alla"), m.loc[m["gender"].isin(["kvinna", "man"])].assign(view=lambda d: d["gender"])]
    m = pd.concat(views, ignore_index=True)
    frames = []
    qn = m.groupby(["year", "group", "question", "view"], sort=True)[["count", "key", "pos"]].sum().reset_index()
    frames.append(qn.rename(columns={"question": "item"}).assign(level="question"))
    ind = m.explode("indicator_list").rename(columns={"indicator_list": "indicator"})
    ind = ind.dropna(subset=["indicator"])
    for groups in (["year", "group", "indicator", "view"], ["year", "indicator", "view"]):
        g = ind.groupby(groups, sort=True)[["count", "key", "pos"]].sum().reset_index()
        if "group" not in g:
            g["group"] = "alla"
        frames.append(g.rename(columns={"indicator": "item"}).assign(level="indicator"))
    out = pd.concat(frames, ignore_index=True)
    out["item"] = out["item"].astype(str)
    out["key"] = _rounded(out["key"], out["count"])
    out["positive"] = _rounded(out["pos"], out["count"])
    out = out[["year", "level", "group", "item", "view", "key", "positive"]]
    p = dataset.participation.groupby(["year", "group"], sort=True)[["asked", "answered"]].sum().reset_index()
    rate = pd.DataFrame(
        {
            "year": p["year"],
            "level": "participation",
            "group": p["group"],
            "item": "svarsfrekvens",
            "view": "alla",
            "key": _rounded(p["answered"], p["asked"]),
            "positive": np.nan,
        }
    )
    return pd.concat([out, rate], ignore_index=True)


def national_digests(dataset, catalog) -> dict[str, str]:
    """Per year: sha256 of the national figures at display precision."""
    fig = national_figures(dataset, catalog)
    # A national reference (national.csv, national_participation.csv) gives the national figures of its years.
    reference = {}
    for name in ("national", "national_participation"):
        table = getattr(dataset, name, None)
        if table is not None and len(table):
            for (year,), digest in _group_digests(table, ["year"]).items():
                reference[str(year)] = reference.get(str(year), "") + f"{name}:{digest}"
    out = {}
    for year, rows in fig.groupby("year", sort=True):
        rows = rows.sort_values(["level", "group", "item", "view"]).drop(columns="year")
        extra = [reference[str(year)]] if str(year) in reference else []
        out[str(year)] = sha256(rows.to_csv(index=False, lineterminator="\n"), *extra)
    return out
