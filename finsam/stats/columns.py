"""The results contract's columns and their order (question and indicator level)."""

from __future__ import annotations

import pandas as pd

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


def order_columns(df: pd.DataFrame) -> pd.DataFrame:
    """Contract columns first (:data:`CONTRACT_COLUMNS`), then :data:`EXTRA_COLUMNS`, then the rest."""
    first = [c for c in CONTRACT_COLUMNS + EXTRA_COLUMNS if c in df.columns]
    return df[first + [c for c in df.columns if c not in first]]

