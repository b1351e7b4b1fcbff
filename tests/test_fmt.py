"""Swedish number formatting (finsam.fmt)."""

import math

import pytest

from finsam import fmt

NB = "\u00a0"
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("share", "expected"),
    [(0.724, f"72{NB}%"), (0.725, f"73{NB}%"), (0.0, f"0{NB}%"), (1.0, f"100{NB}%"), (0.005, f"1{NB}%"),
     (0.0049, f"0{NB}%")],
)
def test_pct_rounds_half_up_with_nbsp(share, expected):
    assert fmt.pct(share) == expected


def test_pct_decimals_use_comma():
    assert fmt.pct(0.12345, 1) == f"12,3{NB}%"


@pytest.mark.parametrize("missing", [None, float("nan"), math.nan])
def test_missing_is_en_dash(missing):
    assert fmt.pct(missing) == "\u2013"
    assert fmt.pp(missing) == "\u2013"
    assert fmt.pct_interval(missing, 0.1, 0.2) == "\u2013"


def test_interval_format():
    assert fmt.pct_interval(0.72, 0.6512, 0.7849) == f"72{NB}% (65\u201378)"
    assert fmt.pct_interval(0.5, None, None) == f"50{NB}%"


@pytest.mark.parametrize(
    ("diff", "expected"),
    [(0.031, f"+3,1{NB}p.e."), (-0.031, f"{MINUS}3,1{NB}p.e."), (0.0, f"0,0{NB}p.e."),
     (-0.00004, f"0,0{NB}p.e."), (0.02, f"+2,0{NB}p.e.")],
)
def test_percentage_points_signed_unicode_minus_no_negative_zero(diff, expected):
    assert fmt.pp(diff) == expected


def test_thousands_and_n_label():
    assert fmt.integer(1171) == f"1{NB}171"
    assert fmt.integer(996) == "996"
    assert fmt.n_label(42) == f"n{NB}={NB}42"
    assert fmt.number(-1234.56, 1) == f"{MINUS}1{NB}234,6"


def test_pp_interval():
    assert fmt.pp_interval(0.0524, 0.3339) == f"+5,2 till +33,4{NB}p.e."
    assert fmt.pp_interval(-0.1, 0.02) == f"{MINUS}10,0 till +2,0{NB}p.e."


def test_count_words_and_lists():
    assert fmt.count_word(9) == "nio"
    assert fmt.count_word(1) == "en"
    assert fmt.count_word(1, neuter=True) == "ett"
    assert fmt.count_word(14) == "14"
    assert fmt.join_list(["a", "b", "c"]) == "a, b och c"
    assert fmt.join_list(["a"]) == "a"
    assert fmt.join_list([]) == ""


@pytest.mark.parametrize(("share", "expected"), [(0.95, f"95{NB}%"), (0.9, f"90{NB}%"), (0.998, f"99,8{NB}%"),
                                                 (0.975, f"97,5{NB}%"), (0.9995, f"99,95{NB}%")])
def test_level_keeps_only_needed_decimals(share, expected):
    assert fmt.level(share) == expected


def test_ci_label_follows_the_confidence_level():
    assert fmt.ci_label(0.9) == f"90{NB}% KI"
    assert fmt.ci_label(0.95) == f"95{NB}% KI"
