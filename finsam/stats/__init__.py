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

from ..codes import ALL_GROUPS, ALL_TOTAL, LABEL_HIGHER, LABEL_LOWER, LABEL_SAME, NATIONAL, PARTICIPANTS_TOTAL, VIEWS
from ..codes import ARROW_DOWN, ARROW_FLAT, ARROW_UP
from .columns import CONTRACT_COLUMNS, EXTRA_COLUMNS, NATIONAL_COLUMNS, PREVIOUS_COLUMNS, VALUE_COLUMNS, order_columns
from .indicators import indicator_stats, kish_effective_n
from .intervals import comparison_label, displayed_points, funnel_limits, newcombe_diff_ci, proportion_ci, trend_arrow
from .questions import question_stats
from .reference import reference_years
from .responses import response_stats

#: Trend arrows of the previous-year comparison: up, flat, down.
ARROWS = (ARROW_UP, ARROW_FLAT, ARROW_DOWN)

__all__ = [
    "ALL_GROUPS", "ALL_TOTAL", "ARROWS", "CONTRACT_COLUMNS", "EXTRA_COLUMNS", "LABEL_HIGHER", "LABEL_LOWER",
    "LABEL_SAME", "NATIONAL", "NATIONAL_COLUMNS", "PARTICIPANTS_TOTAL", "PREVIOUS_COLUMNS", "VALUE_COLUMNS", "VIEWS",
    "comparison_label", "displayed_points", "funnel_limits", "indicator_stats", "kish_effective_n",
    "newcombe_diff_ci", "order_columns", "proportion_ci", "question_stats", "reference_years", "response_stats",
    "trend_arrow",
]
