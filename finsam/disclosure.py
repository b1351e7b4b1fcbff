"""Small-n rules and disclosure control for question cells (pure functions, no I/O).

:func:`apply_disclosure` takes the output of :func:`finsam.stats.question_stats`
(all years, förbund and national rows) and adds ``withheld`` (bool), ``reason``
(code, empty when shown) and ``caveat``; every number of a withheld cell is
blanked (NaN), including ``n``, and comparisons whose counterpart is withheld
are blanked too. Thresholds come from :class:`finsam.settings.Settings`.

Rules, applied per year × group × question (the people answering one question)
-------------------------------------------------------------------------------
1. ``no_answers`` / ``min_n``: a cell with fewer than ``min_n`` (5) answers is
   withheld: no n, shares, interval or comparison.
2. ``gender_min_n``: the gender views (kvinna, man) of a förbund or the nation
   are shown only when women AND men each have at least ``gender_min_n`` (10)
   answers to the question (004); otherwise both views are withheld.
3. ``residual``: total − women − men = the answers of those without a gender
   (ej_uppgett + utan_kon). If that residual is 1 to ``min_n`` − 1, both gender
   views are withheld.
4. ``secondary`` (förbund vs national, total view): national − Σ published
   förbund totals = the answers in withheld förbund cells. If that sum is 1 to
   ``min_n`` − 1, the published förbund cell with the fewest answers (ties: the
   first förbund id) is withheld as well, with all its views. One step always
   suffices (the sum then becomes at least ``min_n`` + 1). The national figure
   itself stays published because every förbund is compared with it.
5. ``complement`` (förbund vs national, gender views): with the national gender
   split published, the women, men and others of the förbund *without* a
   published split can be derived as sums (national women − published förbund
   women, …; with a national reference these sums also hold the rest of the
   country). If any of those sums – women, men, others, or any two of them
   together – is 1 to ``min_n`` − 1, the national gender split is withheld.
6. A withheld national figure means no national comparison; a withheld (or
   missing) previous-year cell means no previous-year comparison.

What this guarantees (checked by a property test over random small tables):
from all numbers published for one question – n and class counts (share × n)
of every förbund and national cell in every view – no group of 1 to
``min_n`` − 1 answers (a withheld cell, a residual, a rest of the country or a
sum of those) can be derived by adding and subtracting published cells. The
indicator level pools only published cells (see :mod:`finsam.stats`), so it
adds nothing that could be subtracted. Response counts (asked/answered per
gender) count questionnaires, not answers to a question, and are published as
in the NNS reports (003 table 3–4).

Caveat: a shown cell with fewer than ``caution_n`` (30) answers gets the caveat
"litet underlag".

Blank means blank: on a withheld row every column except the identifiers and
labels in :data:`IDENTITY_COLUMNS` is missing – the contract numbers and every
extra (``answered``, ``national_n``, ``key_count``, ``count_*``, ``n_answers``,
``cells`` …), see :func:`blank_withheld`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codes import CAVEAT_SMALL
from .settings import DEFAULT_SETTINGS, Settings
from .stats import NATIONAL, NATIONAL_COLUMNS, PREVIOUS_COLUMNS, VALUE_COLUMNS, VIEWS, order_columns

#: Columns kept on a withheld row (identifiers, labels, the reason); everything else is blanked.
IDENTITY_COLUMNS = (
    "year", "forbund", "group", "question", "indicator", "gender", "withheld", "reason", "caveat",
    "scale", "number", "text", "group_order", "questions",
)


_REASON_TEMPLATES = {
    "no_answers": "Inga svar.",
    "min_n": "För få svar (n < {min_n}).",
    "gender_min_n": (
        "Könsuppdelning visas bara när minst {gender_min_n} kvinnor och {gender_min_n} män har svarat på frågan."
    ),
    "residual": (
        "Könsuppdelningen visas inte: svaren från de 1–{max_small} som inte uppgett kön "
        "skulle annars kunna räknas fram."
    ),
    "complement": (
        "Könsuppdelningen för riket visas inte: svaren från en grupp på 1–{max_small} personer "
        "i förbund utan könsuppdelning skulle annars kunna räknas fram."
    ),
    "secondary": (
        "Visas inte för att svar som döljs hos andra förbund (färre än {min_n}) "
        "annars skulle kunna räknas fram ur riksvärdet."
    ),
    "no_published": "Dold: varje svar bakom indikatorn är dolt av reglerna för små grupper (olika skäl för olika frågor).",
}


def reason_text(code: str, settings: Settings) -> str:
    """Swedish sentence for a reason code (empty string for an empty code)."""
    if not code or (isinstance(code, float) and np.isnan(code)):
        return ""
    return _REASON_TEMPLATES[code].format(
        min_n=settings.min_n, gender_min_n=settings.gender_min_n, max_small=settings.min_n - 1
    )


#: Reason code → Swedish text with the default settings.
REASON_TEXT = {code: reason_text(code, DEFAULT_SETTINGS) for code in _REASON_TEMPLATES}

_QKEYS = ["year", "group", "question"]
_CKEYS = ["year", "forbund", "group", "question"]


def _small(x, min_n: int) -> np.ndarray:
    x = np.asarray(x)
    return (x >= 1) & (x < min_n)


def cell_status(stats: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Disclosure status of every cell.

    Returns
    -------
    DataFrame
        ``year, forbund, group, question, gender, status`` where status is the
        reason code of a withheld cell or ``""``.
    """
    min_n, gmin = settings.min_n, settings.gender_min_n
    wide = (
        stats.set_index(_CKEYS + ["gender"])["n"].unstack("gender").reindex(columns=list(VIEWS)).fillna(0)
    ).astype("int64")
    wide = wide.reset_index()
    na, nk, nm = (wide[v].to_numpy() for v in VIEWS)
    resid = na - nk - nm
    wide["_resid"] = resid
    alla = np.select([na == 0, na < min_n], ["no_answers", "min_n"], "").astype(object)
    split = np.select(
        [alla != "", (nk < gmin) | (nm < gmin), _small(resid, min_n)],
        [alla, "gender_min_n", "residual"],
        "",
    ).astype(object)
    wide["alla_status"] = alla
    wide["split_status"] = split
    is_nat = (wide["forbund"] == NATIONAL).to_numpy()
    fb = wide.loc[~is_nat]
    nat = wide.loc[is_nat, _QKEYS + ["alla", "alla_status"]].rename(
        columns={"alla": "_G", "alla_status": "_nat_alla"}
    )

    # Rule 4: secondary suppression of the smallest published förbund total.
    pub = fb.loc[fb["alla_status"] == ""]
    t_pub = pub.groupby(_QKEYS)["alla"].sum().rename("_T_pub").reset_index()
    chk = nat.merge(t_pub, on=_QKEYS, how="left").fillna({"_T_pub": 0})
    chk["_T_W"] = chk["_G"] - chk["_T_pub"]
    bad = chk.loc[(chk["_nat_alla"] == "") & _small(chk["_T_W"], min_n), _QKEYS]
    if len(bad):
        victims = (
            pub.merge(bad, on=_QKEYS)
            .sort_values(_QKEYS + ["alla", "forbund"], kind="mergesort")
            .groupby(_QKEYS, sort=False)
            .head(1)
        )
        hit = wide.set_index(_CKEYS).index.isin(victims.set_index(_CKEYS).index)
        wide.loc[hit, ["alla_status", "split_status"]] = "secondary"

    # Rule 5: national gender split vs the förbund without a published split. What can be derived is
    # national − the published förbund splits: those förbund plus, with a national reference, the rest
    # of the country (without one the national figure is the sum over förbund, so it is just those förbund).
    fb = wide.loc[~is_nat]
    split = ["kvinna", "man", "_resid"]
    r = fb.loc[fb["split_status"] == ""].groupby(_QKEYS)[split].sum().reset_index()
    nat_rows = wide.loc[is_nat, _QKEYS + split].merge(r, on=_QKEYS, how="left", suffixes=("", "_pub")).fillna(0)
    k, m, o = (nat_rows[c].to_numpy() - nat_rows[f"{c}_pub"].to_numpy() for c in split)
    complement = np.zeros(len(nat_rows), dtype=bool)
    for x in (k, m, o, k + m, k + o, m + o):
        complement |= _small(x, min_n)
    nat_rows["_complement"] = complement
    wide = wide.merge(nat_rows[_QKEYS + ["_complement"]].assign(forbund=NATIONAL), on=_CKEYS, how="left")
    is_nat = (wide["forbund"] == NATIONAL).to_numpy()
    hide = is_nat & (wide["split_status"] == "").to_numpy() & wide["_complement"].fillna(False).to_numpy(bool)
    wide.loc[hide, "split_status"] = "complement"

    long = wide[_CKEYS + ["alla_status", "split_status"]].merge(pd.DataFrame({"gender": list(VIEWS)}), how="cross")
    long["status"] = np.where(long["gender"] == "alla", long["alla_status"], long["split_status"])
    return long[_CKEYS + ["gender", "status"]]


def apply_disclosure(stats: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Withhold, blank and annotate cells of :func:`finsam.stats.question_stats`.

    Parameters
    ----------
    stats : DataFrame
        Question-level statistics for all years and förbund *including* the
        national rows (the rules need the whole table of a question; the
        previous-year comparison needs last year's cells).
    settings : Settings
        ``min_n``, ``gender_min_n``, ``caution_n``.

    Returns
    -------
    DataFrame
        The same rows with ``withheld`` (bool), ``reason`` (code, "" when shown,
        Swedish text via :func:`reason_text`) and ``caveat`` ("litet underlag"
        or ""); withheld cells have every number blank (NaN/NA), ``n`` included.
    """
    status = cell_status(stats, settings)
    df = stats.merge(status, on=_CKEYS + ["gender"], how="left", validate="one_to_one")
    withheld = (df["status"] != "").to_numpy()
    df["withheld"] = withheld
    df["reason"] = df["status"].astype(str)
    n = df["n"].to_numpy(dtype=float)
    df["caveat"] = np.where(~withheld & (n < settings.caution_n), CAVEAT_SMALL, "")
    df = df.drop(columns=["status"])

    # Counterparts: the national cell and last year's cell.
    st = status.rename(columns={"status": "_nat_status"})
    st_nat = st.loc[st["forbund"] == NATIONAL].drop(columns="forbund")
    df = df.merge(st_nat, on=_QKEYS + ["gender"], how="left")
    prev = status.rename(columns={"status": "_prev_status"}).assign(year=lambda d: d["year"] + 1)
    df = df.merge(prev, on=_CKEYS + ["gender"], how="left")
    is_nat = (df["forbund"] == NATIONAL).to_numpy()
    no_national = withheld | is_nat | (df["_nat_status"].fillna("x") != "").to_numpy()
    no_previous = withheld | (df["_prev_status"].fillna("x") != "").to_numpy()
    df = df.drop(columns=["_nat_status", "_prev_status"])

    df = _blank(df, [c for c in VALUE_COLUMNS if c in df.columns], withheld)
    df = _blank(df, [c for c in NATIONAL_COLUMNS if c in df.columns], no_national)
    df = _blank(df, [c for c in PREVIOUS_COLUMNS if c in df.columns], no_previous)
    return order_columns(blank_withheld(df)).reset_index(drop=True)


def blank_withheld(df: pd.DataFrame) -> pd.DataFrame:
    """Blank every column but :data:`IDENTITY_COLUMNS` on rows with ``withheld`` true.

    Works on question and indicator rows alike, so extras added later (e.g.
    ``answered``, ``national_n``, ``n_answers``, ``cells``) are blank too.
    Returns a new frame; without a ``withheld`` column the frame is returned
    unchanged.
    """
    if "withheld" not in df.columns:
        return df
    mask = df["withheld"].fillna(False).to_numpy(dtype=bool)
    return _blank(df.copy(), [c for c in df.columns if c not in IDENTITY_COLUMNS], mask)


def _blank(df: pd.DataFrame, columns: list[str], mask: np.ndarray) -> pd.DataFrame:
    """Set ``columns`` to missing where ``mask`` (integers become nullable Int64)."""
    if not mask.any():
        return df
    for c in columns:
        col = df[c]
        if pd.api.types.is_integer_dtype(col):
            col = col.astype("Int64")
        elif pd.api.types.is_bool_dtype(col):
            col = col.astype("boolean")
        df[c] = col.mask(mask)
    return df
