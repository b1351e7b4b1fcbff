"""The project's vocabulary of codes: ids that data, statistics and reports share.

Codes are identifiers, not text: the Swedish words for them live in
:mod:`finsam.texts`. (The comparison labels are the values of the ``finsam
results`` CSV, a public contract, and therefore stay as the CSV has them.)
"""

from __future__ import annotations

#: Pseudo-förbund id of the national rows (and of the national report).
NATIONAL = "riket"
#: Gender views, in display order (``alla`` includes every gender code).
VIEWS = ("alla", "kvinna", "man")
#: The view of every respondent.
ALL = "alla"
#: Gender views of a split by gender.
GENDERS = ("kvinna", "man")
#: Group id of the all-groups level (indicator level).
ALL_GROUPS = "alla"
#: Response-table groups: all participants, and all respondent groups together.
PARTICIPANTS_TOTAL = "deltagare_totalt"
ALL_TOTAL = "totalt"
#: Comparison labels of the national comparison (values of the results CSV).
LABEL_HIGHER = "Högre"
LABEL_LOWER = "Lägre"
LABEL_SAME = "Varken högre eller lägre"
LABELS = (LABEL_HIGHER, LABEL_LOWER, LABEL_SAME)
#: Trend arrows of the previous-year comparison: up, flat, down.
ARROW_UP, ARROW_FLAT, ARROW_DOWN = "↑", "→", "↓"
#: Reason codes of a withheld cell (see :mod:`finsam.disclosure`).
REASONS = ("no_answers", "min_n", "gender_min_n", "residual", "complement", "secondary", "no_published")
#: Caveat of a shown cell with min_n ≤ n < caution_n (a value of the results CSV, like the labels).
CAVEAT_SMALL = "litet underlag"
#: Reasons that are small-n rules (rather than protection of other cells).
SMALL_N_REASONS = frozenset({"no_answers", "min_n", "gender_min_n"})
#: Interval methods of a single share.
CI_METHODS = ("wilson", "jeffreys", "clopper_pearson")
#: The first national measurement (autumn 2017, NNS national report 2017).
FIRST_NATIONAL_YEAR = 2017
#: Output folder (under ``reports/``) of the indicator pages.
INDICATOR_DIR = "indikatorer"
#: Report kinds (one template each).
KINDS = ("forbund", "riket", "indikator")
