"""Shares, intervals and comparisons for the indicator survey (pure functions, no I/O).

Everything here works on whole DataFrames at once (vectorised), so the full
demo data (all förbund, all years) computes in about a second.

Cells
-----
A *cell* is year × förbund × group × question × gender view. The views are
``alla`` (every gender code: kvinna, man, ej_uppgett, utan_kon), ``kvinna`` and
``man``. National rows have ``forbund = "riket"``: for a year covered by the
national reference (``national.csv``, issue 13) they are its answer counts
(the whole country), otherwise they pool every förbund in the data that year
(the NNS "rikssnitt"). Either way "rest of the country" is national minus the
förbund.

Shares (fractions 0–1, never percent)
-------------------------------------
From the catalogue's scale classes (004 footnotes, 003):

* frekvens/omfattning: ``negative``, ``neutral`` ("varken eller"), ``positive``
  (positive *including* clearly positive) and ``clearly_positive``; ``yes`` is
  empty (NaN).
* janej: ``yes`` is the share "Ja"; the four Likert shares are empty (NaN).
* ``key_share`` (nyckeltal, 003): clearly positive, or yes for janej questions;
  ``key_count`` is its numerator.

Intervals
---------
* One share: :func:`proportion_ci` (statsmodels ``proportion_confint``) with
  ``settings.ci_method``: Wilson score (default), Jeffreys or Clopper–Pearson
  ("beta"). Jeffreys uses Brown, Cai & DasGupta's (2001) boundary rule: lower
  limit 0 when the count is 0, upper limit 1 when the count is n.
* A difference of two independent shares: :func:`newcombe_diff_ci`, Newcombe's
  (1998) hybrid score interval (method 10), statsmodels
  ``confint_proportions_2indep(method="newcomb")``, always built on Wilson
  limits whatever ``ci_method`` is.

Comparisons
-----------
* ``national``: the national key share of the same year × group × question ×
  gender view; ``diff_national`` = förbund − national (fraction units).
  ``national_label`` is NNS's "Högre"/"Lägre"/"Varken högre eller lägre" from
  the difference in points as displayed (one decimal, :func:`displayed_points`)
  and ``settings.margin_pp`` (000), with the edge rule of
  :func:`comparison_label`. ``diff_rest`` = förbund − *rest of the country*
  (national minus this förbund, so the two samples are independent);
  ``diff_national_low/high`` is the Newcombe interval of ``diff_rest`` (which
  always lies inside it) and ``signif_national`` is true when that interval
  excludes 0 ("säkerställd skillnad"). No comparison when the rest of
  the country has no answers (a single förbund in the data). Because the
  national figure includes the förbund, förbund − national = (1 − w) ×
  (förbund − rest) with w the förbund's part of the national n: the
  difference has the interval's sign and lies between 0 and the förbund −
  rest difference, so it lies inside its interval whenever the interval
  contains 0, and also otherwise unless the förbund is a large part of the
  country (a test checks every row of the demo data, both levels).
* ``previous``: the same förbund × group × gender view, the same question id
  and the same wording version (catalogue ``version``) the year before, on
  ``settings.trend_basis``: the positive share (positive incl. clearly
  positive, "Ja" for yes/no; NNS 004) by default, or the key share. There is
  never a comparison across a wording change; ``diff_previous`` = this year − previous year,
  ``trend`` ↑ / → / ↓ with the same margin rule, a Newcombe interval treating the
  two years as independent samples (project choice: the aggregates cannot link
  respondents; for staff and boards the same people often answer both years,
  which makes the interval conservative), and ``signif_previous``.

Indicator level (:func:`indicator_stats`)
-----------------------------------------
Per year × förbund (and riket) × indicator × gender view, for each group and
for all groups together (``group = "alla"``):

* Only *published* question cells are pooled (see :mod:`finsam.disclosure`), so
  an indicator figure is a function of published numbers and cannot reveal a
  withheld cell by subtraction.
* Like with like: only questions whose catalogue column ``key`` is set are
  pooled (one answer class per indicator and year, checked by the catalogue;
  conditional questions and questions on another scale are reported beside).
* ``key_share`` = Σ key_count / Σ n over the pooled cells (the indicator's key
  questions and groups that year). The Likert shares are pooled over the
  indicator's frekvens/omfattning key questions and ``yes`` over its janej
  ones.
* Because the same people answer several questions, answers are not
  independent. The interval uses Kish's effective sample size ``n`` =
  (Σw)²/Σw² (:func:`kish_effective_n`; w = pooled questions answered per
  person, Σw² at its largest value the counts allow), and an effective key
  count ``key_share × n``; the interval method is ``settings.ci_method``.
* Like for like: a förbund's national comparison uses the *same cells* as its
  own figure. ``national`` on a förbund row is the national pooled key share
  Σ riket key_count / Σ riket n over the riket cells (year × group × question
  × gender view) matching the förbund's pooled cells – not the riket row of
  the indicator, which pools every published riket cell (all groups and
  questions, also those this förbund did not ask); ``national_n`` is its
  effective n by the same rule. ``diff_national`` = key_share − ``national``,
  ``national_label`` comes from that difference, and the Newcombe interval
  compares the förbund with the rest of the country (riket − förbund) on the
  same cells, each side with the effective-n rule. If a pooled förbund cell has no published riket cell (national gender
  split withheld), the row has no national comparison.
* ``previous`` only when the set of pooled question ids and wording versions is the same both years
  (so no comparison across a changed question, e.g. indicator 4 in 2022, nor
  between different sets of groups).
* Withheld when no underlying cell is published.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats as _sps
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

from .catalog import CLASSES, Catalog
from .settings import DEFAULT_SETTINGS, Settings

#: Pseudo-förbund id of the national rows.
NATIONAL = "riket"
#: Gender views, in display order.
VIEWS = ("alla", "kvinna", "man")
#: Group id of the all-groups level (indicator level).
ALL_GROUPS = "alla"

LABEL_HIGHER = "Högre"
LABEL_LOWER = "Lägre"
LABEL_SAME = "Varken högre eller lägre"
ARROWS = ("↑", "→", "↓")

_STATSMODELS_METHOD = {"wilson": "wilson", "jeffreys": "jeffreys", "clopper_pearson": "beta"}

#: The results contract (issue 4), in this order; disclosure adds the last three.
CONTRACT_COLUMNS = [
    "year", "forbund", "group", "question", "indicator", "gender", "n",
    "negative", "neutral", "positive", "clearly_positive", "yes",
    "key_share", "ci_low", "ci_high",
    "national", "diff_national", "national_label", "diff_rest", "diff_national_low", "diff_national_high",
    "previous", "diff_previous", "trend", "diff_previous_low", "diff_previous_high",
    "withheld", "reason", "caveat",
]
#: Columns describing the cell's own answers (blanked when the cell is withheld).
VALUE_COLUMNS = [
    "n", "negative", "neutral", "positive", "clearly_positive", "yes", "key_share", "ci_low", "ci_high",
    "key_count", "count_negative", "count_neutral", "count_positive", "count_clearly_positive",
    "count_yes", "count_no",
]
#: Columns of the national comparison.
NATIONAL_COLUMNS = [
    "national", "diff_national", "diff_rest", "national_label", "diff_national_low", "diff_national_high",
    "signif_national", "national_n",
]
#: Columns of the previous-year comparison.
PREVIOUS_COLUMNS = [
    "previous", "diff_previous", "trend", "diff_previous_low", "diff_previous_high",
    "signif_previous", "previous_n",
]
#: Extra columns after the contract, in this order (others follow).
EXTRA_COLUMNS = [
    "signif_national", "signif_previous", "key_count",
    "count_negative", "count_neutral", "count_positive", "count_clearly_positive", "count_yes", "count_no",
    "national_n", "previous_n", "answered", "scale", "number", "text", "group_order",
]
_KEYS = ["year", "forbund", "group", "question", "gender"]
_CLASSES = CLASSES  # answer classes of the catalogue's scales


# ---------------------------------------------------------------------------
# Intervals and labels
# ---------------------------------------------------------------------------
def proportion_ci(count, nobs, method: str = "wilson", confidence: float = 0.95):
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


def newcombe_diff_ci(x1, n1, x2, n2, confidence: float = 0.95):
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


def comparison_label(diff, margin_pp: float = DEFAULT_SETTINGS.margin_pp) -> np.ndarray:
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


def trend_arrow(diff, margin_pp: float = DEFAULT_SETTINGS.margin_pp) -> np.ndarray:
    """Arrow ↑ / → / ↓ for differences (fractions), same edge rule as :func:`comparison_label`."""
    pp = _points(diff)
    up, flat, down = ARROWS
    out = np.where(pp > margin_pp, up, np.where(pp < -margin_pp, down, flat)).astype(object)
    out[np.isnan(pp)] = None
    return out


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


def funnel_limits(p0: float, n, coverages=DEFAULT_SETTINGS.funnel_limits) -> pd.DataFrame:
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


# ---------------------------------------------------------------------------
# Question level
# ---------------------------------------------------------------------------
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
    settings: Settings | None = None,
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
    settings : Settings, optional
        Interval method, confidence and margin (default: ``DEFAULT_SETTINGS``).
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
    settings = settings or DEFAULT_SETTINGS
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
    df = _add_comparisons(df, settings, ["group", "question", "gender"]).drop(columns=["_pool_set"])
    order = dict(zip(catalog.groups["group"], catalog.groups["order"]))
    df["group_order"] = df["group"].map(order).astype("Int64")
    if participation is not None:
        df = _add_answered(df, participation, national_participation)
    return order_columns(_sort_cells(df))


def reference_years(national: pd.DataFrame | None) -> set[int]:
    """The years a national reference table covers (empty without one)."""
    if national is None or not len(national):
        return set()
    return {int(y) for y in national["year"]}


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


def order_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Contract columns first (:data:`CONTRACT_COLUMNS`), then :data:`EXTRA_COLUMNS`, then the rest."""
    first = [c for c in CONTRACT_COLUMNS + EXTRA_COLUMNS if c in df.columns]
    return df[first + [c for c in df.columns if c not in first]]


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


def _int_if_integral(values) -> pd.array | np.ndarray:
    """Nullable Int64 when every value is integral (or missing), else float."""
    a = np.asarray(values, dtype=float)
    finite = np.isfinite(a)
    if np.all(a[finite] == np.round(a[finite])):
        out = pd.array(np.where(finite, a, 0).astype("int64"), dtype="Int64")
        out[~finite] = pd.NA
        return out
    return a


def _add_comparisons(df: pd.DataFrame, settings: Settings, cell: list[str]) -> pd.DataFrame:
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
    df["national_n"] = _int_if_integral(nat_n)
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
    df["previous_n"] = _int_if_integral(pn)
    _set_comparison(df, "previous", "trend", trend_arrow, share - previous, (k, n, pk, pn), margin, conf)
    drop = [
        c for c in df.columns
        if c.startswith(("_nat_", "_prev_", "_rest_", "_trend_")) or c in ("_national", "_national_n", "_positive_k")
    ]
    return df.drop(columns=drop)


def _add_answered(df: pd.DataFrame, participation: pd.DataFrame,
                  national_participation: pd.DataFrame | None = None) -> pd.DataFrame:
    p = participation.astype({"year": int, "forbund": str, "group": str})
    cols = {"alla": "answered", "kvinna": "answered_kvinna", "man": "answered_man"}
    per = p.groupby(["year", "forbund", "group"])[list(cols.values())].sum().reset_index()
    nat = _national_participation(per, national_participation, list(cols.values()))
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


# ---------------------------------------------------------------------------
# Indicator level
# ---------------------------------------------------------------------------
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
    cells: pd.DataFrame, settings: Settings | None = None, catalog: Catalog | None = None
) -> pd.DataFrame:
    """Pooled key share per year × förbund (and riket) × indicator × group × gender view.

    Parameters
    ----------
    cells : DataFrame
        Question cells after :func:`finsam.disclosure.apply_disclosure` (all
        years, with national rows). Without a ``withheld`` column every cell
        with answers is pooled.
    settings : Settings, optional
        ``ci_method``, ``confidence``, ``margin_pp``, ``caution_n``.
    catalog : Catalog, optional
        Only for ``group_order`` (display order of the groups).

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
    s = settings or DEFAULT_SETTINGS
    if catalog is None:
        from .catalog import load_catalog

        catalog = load_catalog()
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
    out = _add_comparisons(out, s, ["group", "indicator", "gender"])
    wh = out["cells"].to_numpy() == 0
    out["withheld"] = wh
    out["reason"] = np.where(wh, out["_reasons"], "")
    out["caveat"] = np.where(~wh & (out["n"].to_numpy(dtype=float) < s.caution_n), "litet underlag", "")
    out["n"] = _int_if_integral(out["n"])
    out["n_answers"] = _int_if_integral(out["n_answers"])
    order = {ALL_GROUPS: 0}
    if catalog is not None:
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
# ---------------------------------------------------------------------------
#: Group ids of the total rows of :func:`response_stats` (003 table 2).
PARTICIPANTS_TOTAL = "deltagare_totalt"
ALL_TOTAL = "totalt"
_RESPONSE_COUNTS = [
    "asked", "unreachable", "answered", "answered_kvinna", "answered_man", "answered_ej_uppgett", "answered_utan_kon",
]


def _national_participation(per: pd.DataFrame, national_participation: pd.DataFrame | None,
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
    nat = _national_participation(p, national_participation, _RESPONSE_COUNTS)
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
