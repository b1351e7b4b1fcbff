"""finsam.stats: intervals, labels, question and indicator statistics, response figures."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from finsam.catalog import load_catalog
from finsam.disclosure import apply_disclosure
from finsam.settings import Settings
from finsam.stats import (
    comparison_label,
    funnel_limits,
    indicator_stats,
    newcombe_diff_ci,
    proportion_ci,
    question_stats,
    response_stats,
    trend_arrow,
    kish_effective_n,
    displayed_points,
)

COLS = ["year", "forbund", "group", "question", "gender", "answer", "count"]


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLS)


def row(df, **where) -> pd.Series:
    mask = np.ones(len(df), dtype=bool)
    for k, v in where.items():
        mask &= (df[k] == v).to_numpy()
    sel = df.loc[mask]
    assert len(sel) == 1, f"{len(sel)} rows for {where}"
    return sel.iloc[0]


# --- intervals (issue 4 "Done when") ---------------------------------------
@pytest.mark.parametrize(
    "count, nobs, low, high",
    [(18, 20, 0.69897, 0.97213), (4, 20, 0.08066, 0.41602), (0, 30, 0.0, 0.11351), (30, 30, 0.88649, 1.0)],
)
def test_wilson_known_values(count, nobs, low, high):
    lo, hi = proportion_ci(count, nobs, "wilson", 0.95)
    assert lo[0] == pytest.approx(low, abs=5e-6)
    assert hi[0] == pytest.approx(high, abs=5e-6)


def test_jeffreys_and_clopper_pearson_known_values():
    lo, hi = proportion_ci(18, 20, "jeffreys", 0.95)
    assert (lo[0], hi[0]) == pytest.approx((0.71615, 0.97863), abs=5e-6)
    lo, hi = proportion_ci(18, 20, "clopper_pearson", 0.95)
    assert (lo[0], hi[0]) == pytest.approx((0.68302, 0.98765), abs=5e-6)


def test_jeffreys_boundary_rule_and_vectorised_with_empty_cells():
    lo, hi = proportion_ci([0, 10, 3, 0], [10, 10, 0, 0], "jeffreys", 0.95)
    assert lo[0] == 0.0 and hi[1] == 1.0
    assert 0 < hi[0] < 0.3 and 0.7 < lo[1] < 1
    assert np.isnan(lo[2]) and np.isnan(hi[3])


def test_unknown_interval_method_is_rejected():
    with pytest.raises(ValueError):
        proportion_ci(1, 2, "wald", 0.95)


@pytest.mark.parametrize(
    "x1, n1, x2, n2, low, high",
    [(56, 70, 48, 80, 0.0524, 0.3339), (9, 10, 3, 10, 0.1705, 0.8090), (7, 34, 1, 34, 0.0189, 0.3404)],
)
def test_newcombe_known_values(x1, n1, x2, n2, low, high):
    lo, hi = newcombe_diff_ci(x1, n1, x2, n2, 0.95)
    assert lo[0] == pytest.approx(low, abs=5e-5)
    assert hi[0] == pytest.approx(high, abs=5e-5)


def test_newcombe_vectorised_and_empty_sample_gives_nan():
    lo, hi = newcombe_diff_ci([56, 9, 5], [70, 10, 5], [48, 3, 0], [80, 10, 0], 0.95)
    assert lo[:2] == pytest.approx([0.0524, 0.1705], abs=5e-5)
    assert np.isnan(lo[2]) and np.isnan(hi[2])


# --- the ±2 margin rule -------------------------------------------------------
def test_labels_and_arrows_at_the_margin_edges():
    # Differences built from shares, as they arise in the data (0.57 − 0.55 has float noise).
    diffs = np.array([0.569 - 0.55, 0.57 - 0.55, 0.571 - 0.55, 0.55 - 0.569, 0.55 - 0.57, 0.55 - 0.571, np.nan])
    assert list(comparison_label(diffs, 2.0)) == [
        "Varken högre eller lägre", "Varken högre eller lägre", "Högre",
        "Varken högre eller lägre", "Varken högre eller lägre", "Lägre", None,
    ]
    assert list(trend_arrow(diffs, 2.0)) == ["→", "→", "↑", "→", "→", "↓", None]
    # The margin is a setting.
    assert list(comparison_label(np.array([0.021, 0.031]), 3.0)) == ["Varken högre eller lägre", "Högre"]


# --- question level ---------------------------------------------------------
SMALL_ROWS = [
    # förbund a, personal, per_tid (frekvens): all four gender codes.
    (2021, "a", "personal", "per_tid", "kvinna", 5, 12),
    (2021, "a", "personal", "per_tid", "kvinna", 1, 3),
    (2021, "a", "personal", "per_tid", "man", 6, 10),
    (2021, "a", "personal", "per_tid", "man", 3, 2),
    (2021, "a", "personal", "per_tid", "ej_uppgett", 4, 1),
    (2021, "a", "personal", "per_tid", "utan_kon", 2, 4),
    (2021, "b", "personal", "per_tid", "utan_kon", 5, 20),
    (2021, "b", "personal", "per_tid", "utan_kon", 1, 10),
    # janej question, valid 2017–2021.
    (2021, "a", "deltagare_pagaende", "pag_person_team", "utan_kon", 1, 8),
    (2021, "a", "deltagare_pagaende", "pag_person_team", "utan_kon", 2, 2),
    # 2022: per_tid again; pag_person_team replaced by pag_kontakter (new id).
    (2022, "a", "personal", "per_tid", "utan_kon", 5, 10),
    (2022, "a", "personal", "per_tid", "utan_kon", 3, 10),
    (2022, "a", "deltagare_pagaende", "pag_kontakter", "utan_kon", 6, 9),
    (2022, "b", "personal", "per_tid", "utan_kon", 5, 6),
]


@pytest.fixture(scope="module")
def small(cat):
    return question_stats(frame(SMALL_ROWS), cat, Settings())


def test_shares_and_all_gender_codes_in_alla(small):
    r = row(small, year=2021, forbund="a", question="per_tid", gender="alla")
    assert r["n"] == 32
    assert r["negative"] == pytest.approx(7 / 32)
    assert r["neutral"] == pytest.approx(2 / 32)
    assert r["positive"] == pytest.approx(23 / 32)  # includes clearly positive
    assert r["clearly_positive"] == pytest.approx(22 / 32)
    assert math.isnan(r["yes"])
    assert r["key_share"] == pytest.approx(22 / 32) and r["key_count"] == 22
    lo, hi = proportion_ci(22, 32, "wilson", 0.95)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((lo[0], hi[0]))
    k = row(small, year=2021, forbund="a", question="per_tid", gender="kvinna")
    assert k["n"] == 15 and k["key_share"] == pytest.approx(12 / 15)
    m = row(small, year=2021, forbund="a", question="per_tid", gender="man")
    assert m["n"] == 12 and m["key_share"] == pytest.approx(10 / 12)


def test_janej_has_yes_and_no_likert_shares(small):
    r = row(small, year=2021, forbund="a", question="pag_person_team", gender="alla")
    assert r["yes"] == pytest.approx(0.8) and r["key_share"] == pytest.approx(0.8)
    assert all(math.isnan(r[c]) for c in ("negative", "neutral", "positive", "clearly_positive"))
    assert r["scale"] == "janej" and r["indicator"] == "4"


def test_national_is_pooled_and_interval_is_against_rest_of_country(small):
    nat = row(small, year=2021, forbund="riket", question="per_tid", gender="alla")
    assert nat["n"] == 62 and nat["key_count"] == 42
    assert math.isnan(nat["national"]) and pd.isna(nat["diff_national_low"])
    a = row(small, year=2021, forbund="a", question="per_tid", gender="alla")
    assert a["national"] == pytest.approx(42 / 62)
    assert a["diff_national"] == pytest.approx(22 / 32 - 42 / 62)
    lo, hi = newcombe_diff_ci(22, 32, 20, 30, 0.95)  # rest of the country = b
    assert (a["diff_national_low"], a["diff_national_high"]) == pytest.approx((lo[0], hi[0]))
    assert a["national_label"] == "Varken högre eller lägre"  # +1.1 points
    assert not a["signif_national"]


def test_previous_year_same_question_id_only(small, cat):
    # Default trend basis: the positive share (NNS 004); 2021: 23 of 32 positive, 2022: 10 of 20.
    a = row(small, year=2022, forbund="a", question="per_tid", gender="alla")
    assert a["previous"] == pytest.approx(23 / 32)
    assert a["diff_previous"] == pytest.approx(0.5 - 23 / 32)
    assert a["trend"] == "↓"
    lo, hi = newcombe_diff_ci(10, 20, 23, 32, 0.95)
    assert (a["diff_previous_low"], a["diff_previous_high"]) == pytest.approx((lo[0], hi[0]))
    # trend_basis = "key": the clearly positive share (22 of 32).
    k = question_stats(frame(SMALL_ROWS), cat, Settings(trend_basis="key"))
    a = row(k, year=2022, forbund="a", question="per_tid", gender="alla")
    assert a["previous"] == pytest.approx(22 / 32) and a["diff_previous"] == pytest.approx(0.5 - 22 / 32)
    lo, hi = newcombe_diff_ci(10, 20, 22, 32, 0.95)
    assert (a["diff_previous_low"], a["diff_previous_high"]) == pytest.approx((lo[0], hi[0]))
    # Indicator 4's question changed in 2022 (new id): no comparison across the change.
    k = row(small, year=2022, forbund="a", question="pag_kontakter", gender="alla")
    assert k["key_share"] == 1.0 and math.isnan(k["previous"]) and pd.isna(k["trend"])


def test_every_valid_question_of_a_present_group_gets_a_row(small, cat):
    qs = set(small.loc[(small["year"] == 2021) & (small["forbund"] == "a") & (small["group"] == "personal"), "question"])
    assert qs == set(cat.questions_in(2021, "personal")["question"])
    empty = row(small, year=2021, forbund="a", question="per_lyssnar", gender="alla")
    assert empty["n"] == 0 and math.isnan(empty["key_share"])


def test_contract_columns_come_first(small):
    from finsam.stats import CONTRACT_COLUMNS

    assert list(small.columns[: len(CONTRACT_COLUMNS) - 3]) == CONTRACT_COLUMNS[:-3]


def test_question_id_with_new_number_still_compares(cat):
    # chg_strukturer was question 1 in 2017 and question 3 from 2018: same id, comparable.
    rows = [
        (2017, "a", "chefsgrupp", "chg_strukturer", "utan_kon", 5, 6),
        (2017, "a", "chefsgrupp", "chg_strukturer", "utan_kon", 2, 4),
        (2018, "a", "chefsgrupp", "chg_strukturer", "utan_kon", 5, 9),
        (2018, "a", "chefsgrupp", "chg_strukturer", "utan_kon", 2, 1),
    ]
    df = question_stats(frame(rows), cat, Settings())
    r = row(df, year=2018, forbund="a", question="chg_strukturer", gender="alla")
    assert r["number"] == 3 and r["previous"] == pytest.approx(0.6) and r["trend"] == "↑"


def test_interval_method_setting_is_used(cat):
    rows = [(2021, "a", "personal", "per_tid", "utan_kon", 5, 18), (2021, "a", "personal", "per_tid", "utan_kon", 1, 2)]
    df = question_stats(frame(rows), cat, Settings(ci_method="clopper_pearson"))
    r = row(df, year=2021, forbund="a", question="per_tid", gender="alla")
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((0.68302, 0.98765), abs=5e-6)


# --- indicator level --------------------------------------------------------
def test_indicator_pooling_and_effective_n(cat):
    s = Settings()
    rows = [
        # Indicator 8: two personal questions (same people) – n_eff = the larger n.
        (2021, "a", "personal", "per_lyssnar", "utan_kon", 5, 12),
        (2021, "a", "personal", "per_lyssnar", "utan_kon", 2, 8),
        (2021, "a", "personal", "per_tillfora", "utan_kon", 6, 6),
        (2021, "a", "personal", "per_tillfora", "utan_kon", 3, 12),
        # Indicator 3: three groups – n_eff = sum over groups.
        (2021, "a", "personal", "per_tid", "utan_kon", 5, 10),
        (2021, "a", "deltagare_pagaende", "pag_tid", "utan_kon", 5, 30),
        (2021, "a", "deltagare_pagaende", "pag_tid", "utan_kon", 1, 10),
        (2021, "a", "deltagare_avslut", "avs_tid", "utan_kon", 6, 3),  # n = 3: withheld, not pooled
        (2021, "b", "personal", "per_lyssnar", "utan_kon", 5, 10),
        (2021, "b", "personal", "per_tillfora", "utan_kon", 5, 10),
    ]
    q = apply_disclosure(question_stats(frame(rows), cat, s), s)
    ind = indicator_stats(q, s, cat)
    r8 = row(ind, year=2021, forbund="a", indicator=8, group="alla", gender="alla")
    assert r8["key_share"] == pytest.approx(18 / 38)
    # Kish: (Σw)² / Σw² with Σw² at its largest, Σ_jk min(n_j, n_k) = 20 + 18 + 2·18 = 74.
    assert r8["n"] == pytest.approx(38**2 / 74) and r8["n_answers"] == 38
    assert r8["n"] == pytest.approx(kish_effective_n([[20, 18]]))
    lo, hi = proportion_ci(18 / 38 * 38**2 / 74, 38**2 / 74, "wilson", 0.95)
    assert (r8["ci_low"], r8["ci_high"]) == pytest.approx((lo[0], hi[0]))
    assert r8["questions"] == "per_lyssnar|per_tillfora" and r8["cells"] == 2
    r3 = row(ind, year=2021, forbund="a", indicator=3, group="alla", gender="alla")
    assert r3["key_share"] == pytest.approx(40 / 50)  # avs_tid (n 3) is not pooled
    assert r3["n"] == 10 + 40 and r3["cells_withheld"] == 1
    assert r3["caveat"] == ""
    # National comparison: matched cells, rest of the country = b.
    assert r8["national"] == pytest.approx(38 / 58)
    assert r8["diff_national"] == pytest.approx(18 / 38 - 38 / 58)
    lo, hi = newcombe_diff_ci(18 / 38 * 38**2 / 74, 38**2 / 74, 20 / 20 * 10, 10, 0.95)
    assert (r8["diff_national_low"], r8["diff_national_high"]) == pytest.approx((lo[0], hi[0]))
    assert r8["diff_rest"] == pytest.approx(18 / 38 - 20 / 20)
    # Per-group row and the withheld avslut group.
    g = row(ind, year=2021, forbund="a", indicator=3, group="deltagare_pagaende", gender="alla")
    assert g["n"] == 40 and g["key_share"] == pytest.approx(0.75)
    w = row(ind, year=2021, forbund="a", indicator=3, group="deltagare_avslut", gender="alla")
    assert w["withheld"] and w["reason"] == "min_n" and pd.isna(w["n"]) and math.isnan(w["key_share"])
    assert pd.isna(r8["question"])


def test_indicator_previous_only_with_same_questions(cat):
    s = Settings()
    rows = [
        (2021, "a", "deltagare_pagaende", "pag_person_team", "utan_kon", 1, 10),
        (2022, "a", "deltagare_pagaende", "pag_kontakter", "utan_kon", 5, 10),
        (2021, "a", "personal", "per_lyssnar", "utan_kon", 5, 10),
        (2022, "a", "personal", "per_lyssnar", "utan_kon", 5, 5),
        (2022, "a", "personal", "per_lyssnar", "utan_kon", 1, 5),
    ]
    q = apply_disclosure(question_stats(frame(rows), cat, s), s)
    ind = indicator_stats(q, s, cat)
    r4 = row(ind, year=2022, forbund="a", indicator=4, group="alla", gender="alla")
    assert r4["key_share"] == 1.0 and math.isnan(r4["previous"])
    r8 = row(ind, year=2022, forbund="a", indicator=8, group="alla", gender="alla")
    assert r8["previous"] == 1.0 and r8["trend"] == "↓" and r8["caveat"] == "litet underlag"


# --- response figures (003 table 2) ------------------------------------------
# Source: seed 003 (NNS national report 2018-1), table 2 (asked, bortfall, answers per group)
# and tables 3–4 (unreachable and answers by gender for the participant groups). 003 reports
# no per-förbund answers, so the national figures are one pseudo-förbund "nns2017".
T2 = pd.DataFrame(
    [
        # group, asked, unreachable, answered, kvinna, man, ej_uppgett, utan_kon
        ("deltagare_pagaende", 586, 48, 530, 170, 111, 31, 218),
        ("deltagare_avslut", 182, 11, 99, 9, 10, 28, 52),
        ("personal", 194, 0, 181, 0, 0, 0, 181),
        ("forbundschef", 16, 0, 12, 0, 0, 0, 12),
        ("styrelse", 79, 0, 74, 0, 0, 0, 74),
        ("chefsgrupp", 118, 0, 100, 0, 0, 0, 100),
    ],
    columns=["group", "asked", "unreachable", "answered", "answered_kvinna", "answered_man",
             "answered_ej_uppgett", "answered_utan_kon"],
).assign(year=2017, forbund="nns2017")


def test_003_table_2_response_rates(cat):
    rs = response_stats(T2, cat)
    f = rs.loc[rs["forbund"] == "nns2017"].set_index("group")
    assert list(f.index) == [
        "deltagare_pagaende", "deltagare_avslut", "deltagare_totalt", "personal", "forbundschef",
        "styrelse", "chefsgrupp", "totalt",
    ]
    assert f.loc["deltagare_totalt", ["asked", "bortfall", "answered"]].tolist() == [768, 139, 629]
    # 003 prints 1 171 asked in its total row, but its own group rows sum to 1 175
    # (768 + 194 + 16 + 79 + 118), and 1 175 − 179 bortfall = 996 answers as printed.
    assert f.loc["totalt", ["asked", "bortfall", "answered"]].tolist() == [1175, 179, 996]
    assert f["bortfall"].tolist() == [56, 83, 139, 13, 4, 5, 18, 179]
    pct = (f["response_rate"] * 100).round().astype(int)
    # As printed in 003: 90 %, 54 %, 93 %, 94 %, 85 %.
    assert pct[["deltagare_pagaende", "deltagare_avslut", "personal", "styrelse", "chefsgrupp"]].tolist() == [
        90, 54, 93, 94, 85,
    ]
    # 003 prints 80 % (förbundschef), 85 % (deltagare totalt) and 87 % (totalt), which its own
    # counts do not give: 12/16 = 75 %, 629/768 = 82 %, 996/1175 = 85 %. We recompute from counts.
    assert pct[["forbundschef", "deltagare_totalt", "totalt"]].tolist() == [75, 82, 85]
    assert f.loc["deltagare_totalt", "answered_kvinna"] == 179
    assert f.loc["deltagare_totalt", "group_name"] == "Deltagare totalt"
    # The national rows equal the only förbund here.
    nat = rs.loc[rs["forbund"] == "riket"].set_index("group")
    assert nat.loc["totalt", "answered"] == 996


def test_003_table_1_asked_per_forbund_sum_to_table_2(cat):
    # Source: seed 003 table 1 (asked per förbund and group, 2017); answered is not given per
    # förbund, so it is set to 0 here and only "asked" is checked.
    t1 = {
        "Centrala Östergötland": (16, 11, 13, 2, 9, 12), "Falun": (19, 10, 0, 1, 0, 0),
        "Göteborg Hisingen": (0, 93, 0, 1, 0, 0), "Huddinge/Botkyrka/Salem": (78, 0, 37, 1, 8, 9),
        "Kalmar län": (91, 0, 32, 2, 11, 19), "Mitt Skåne": (34, 4, 6, 1, 5, 0), "Nedansiljan": (11, 0, 0, 1, 0, 0),
        "Samspelet": (64, 11, 17, 1, 14, 10), "Skellefteå/Norsjö": (80, 27, 19, 1, 4, 4),
        "Södertälje": (50, 12, 23, 2, 9, 38), "Södra Dalarna": (67, 0, 9, 1, 8, 7),
        "Trollhättan/Lilla Edet/Grästorps": (40, 14, 17, 1, 4, 0), "Östra Södertörn": (36, 0, 21, 1, 7, 19),
    }
    groups = ["deltagare_pagaende", "deltagare_avslut", "personal", "forbundschef", "styrelse", "chefsgrupp"]
    recs = [
        dict(year=2017, forbund=f"f{i:02d}", group=g, asked=a, unreachable=0, answered=0, answered_kvinna=0,
             answered_man=0, answered_ej_uppgett=0, answered_utan_kon=0)
        for i, counts in enumerate(t1.values()) for g, a in zip(groups, counts) if a
    ]
    rs = response_stats(pd.DataFrame(recs), cat)
    nat = rs.loc[rs["forbund"] == "riket"].set_index("group")["asked"]
    assert nat[groups].tolist() == [586, 182, 194, 16, 79, 118]
    assert nat["deltagare_totalt"] == 768
    assert nat["totalt"] == 1175  # table 1 prints no total; table 2's "1 171" is a sum error in 003
    assert (rs["response_rate"] == 0).all()


# --- funnel limits ----------------------------------------------------------
def test_funnel_limits_approach_normal_limits_and_nest():
    fl = funnel_limits(0.6, [20, 100, 10_000], (0.95, 0.998))
    wide = fl.set_index(["coverage", "n"])
    big95 = wide.loc[(0.95, 10_000.0)]
    se = math.sqrt(0.6 * 0.4 / 10_000)
    assert big95["low"] == pytest.approx(0.6 - 1.959964 * se, abs=2e-4)
    assert big95["high"] == pytest.approx(0.6 + 1.959964 * se, abs=2e-4)
    for n in (20.0, 100.0, 10_000.0):
        a, b = wide.loc[(0.95, n)], wide.loc[(0.998, n)]
        assert b["low"] < a["low"] < 0.6 < a["high"] < b["high"]
    # Narrower with more answers.
    assert wide.loc[(0.95, 20.0), "low"] < wide.loc[(0.95, 100.0), "low"] < big95["low"]


# --- like-for-like national comparison and interval coherence -----------------
def test_indicator_national_is_like_for_like(cat):
    # a asks only personal; b asks personal and deltagare_pagaende (indicator 3: per_tid, pag_tid).
    s = Settings()
    rows = [
        (2021, "a", "personal", "per_tid", "utan_kon", 5, 18),
        (2021, "a", "personal", "per_tid", "utan_kon", 1, 2),
        (2021, "b", "personal", "per_tid", "utan_kon", 5, 5),
        (2021, "b", "personal", "per_tid", "utan_kon", 1, 15),
        (2021, "b", "deltagare_pagaende", "pag_tid", "utan_kon", 5, 40),
    ]
    q = apply_disclosure(question_stats(frame(rows), cat, s), s)
    ind = indicator_stats(q, s, cat)
    a = row(ind, year=2021, forbund="a", indicator=3, group="alla", gender="alla")
    riket = row(ind, year=2021, forbund="riket", indicator=3, group="alla", gender="alla")
    # The riket row pools every national cell (both groups); a's comparison only personal.
    assert riket["key_share"] == pytest.approx(63 / 80)
    assert a["key_share"] == pytest.approx(18 / 20)
    assert a["national"] == pytest.approx(23 / 40) and a["national_n"] == 40
    assert a["diff_national"] == pytest.approx(18 / 20 - 23 / 40)
    assert a["national_label"] == "Högre"
    lo, hi = newcombe_diff_ci(18, 20, 5, 20, 0.95)
    assert (a["diff_national_low"], a["diff_national_high"]) == pytest.approx((lo[0], hi[0]))
    # The interval is of a − rest of the country (18/20 − 5/20 = 0.65, independent samples); the
    # difference shown is a − riket = (1 − 20/40) · 0.65: same sign, between 0 and 0.65. Only
    # because a is half the country does it fall below a significant interval (module docstring).
    assert a["diff_national"] == pytest.approx((1 - 20 / 40) * (18 / 20 - 5 / 20))
    assert 0 < a["diff_national"] < a["diff_national_low"] < 18 / 20 - 5 / 20 < a["diff_national_high"]


@pytest.fixture(scope="module")
def demo_results():
    import finsam
    from finsam.results import compute_all

    return compute_all(finsam.load_dataset())


@pytest.mark.parametrize("level", ["question", "indicator"])
@pytest.mark.parametrize("which", ["national", "previous"])
def test_demo_every_difference_lies_in_its_own_interval(demo_results, level, which):
    df = getattr(demo_results, level)
    d = df[[f"diff_{which}", f"diff_{which}_low", f"diff_{which}_high"]].astype(float).to_numpy()
    ok = np.isfinite(d).all(axis=1)
    assert ok.sum() > 1000  # the property is checked on many rows, every year
    assert set(df.loc[ok, "year"]) >= set(demo_results.question["year"]) - {min(demo_results.question["year"])}
    diff, low, high = d[ok].T
    bad = ~((low - 1e-9 <= diff) & (diff <= high + 1e-9))
    cols = ["year", "forbund", "group", "question", "indicator", "gender", f"diff_{which}"]
    assert not bad.any(), df.loc[ok].loc[bad, cols].head(10).to_string()


# --- 003 table 2 reproduced by the 2017 demo participation ---------------------
def test_demo_2017_reproduces_003_table_2(cat):
    import finsam
    from finsam.published import load_published

    # Source: seed 003 table 2, transcribed in data/published/nns2017_response.csv.
    pub = load_published("nns2017_response").set_index("group")
    part = finsam.load_dataset().participation
    rs = response_stats(part.loc[part["year"] == 2017], cat)
    nat = rs.loc[rs["forbund"] == "riket"].set_index("group")
    assert set(pub.index) == set(nat.index)  # every printed row, incl. deltagare_totalt and totalt
    for g in pub.index:
        asked = 1175 if g == "totalt" else int(pub.loc[g, "asked"])
        # 003 prints 1 171 asked in the total row; its groups (and table 1) sum to 1 175 and
        # 1 175 − 179 bortfall = 996 answers as printed (data/published/README.md).
        assert nat.loc[g, ["asked", "bortfall", "answered"]].tolist() == [
            asked, int(pub.loc[g, "bortfall"]), int(pub.loc[g, "answered"]),
        ], g
        rate = nat.loc[g, "response_rate"]
        assert rate == pytest.approx(nat.loc[g, "answered"] / nat.loc[g, "asked"])
        if g in ("forbundschef", "deltagare_totalt", "totalt"):
            # Printed 80 %, 85 %, 87 % do not match the printed counts (12/16, 629/768,
            # 996/1 175; README): compare with the counts instead.
            assert rate == pytest.approx(int(pub.loc[g, "answered"]) / asked)
            assert round(rate * 100) != pub.loc[g, "response_rate_pct"]
        else:
            assert round(rate * 100) == pub.loc[g, "response_rate_pct"], g


# --- issue 15: honest indicator intervals, comparable yardsticks ----------------
def test_kish_effective_n_known_values():
    # The audit's example: 3 questions × 48 respondents in one group, 1 × 48 in another.
    assert kish_effective_n([[48, 48, 48], [48]]) == pytest.approx(76.8)
    # One question per group: every answer is a different person.
    assert kish_effective_n([[10], [40]]) == pytest.approx(50)
    # Item non-response: Σ_jk min(n_j, n_k) = 20 + 18 + 2·18.
    assert kish_effective_n([[20, 18]]) == pytest.approx(38**2 / 74)


def test_indicator_interval_coverage_with_correlated_items_is_at_least_nominal(cat):
    """Simulation: 3 strongly correlated items × 48 people plus 1 item × 48 other people."""
    from statsmodels.stats.proportion import proportion_confint

    rng = np.random.default_rng(20240515)
    reps, m, r = 4000, 48, 48
    # Latent-threshold model: item = 1 when z + e > c, z ~ N(0, 1), e ~ N(0, 0.3²) (item correlation ≈ 0.9).
    c = -0.25
    p_true = float(1 - __import__("scipy").stats.norm.cdf(c / np.sqrt(1 + 0.09)))
    z1 = rng.standard_normal((reps, m, 1))
    a = (z1 + 0.3 * rng.standard_normal((reps, m, 3)) > c).sum(axis=(1, 2))
    z2 = rng.standard_normal((reps, r))
    b = (z2 + 0.3 * rng.standard_normal((reps, r)) > c).sum(axis=1)
    share = (a + b) / (3 * m + r)
    n_kish = kish_effective_n([[m] * 3, [r]])
    lo, hi = proportion_confint(share * n_kish, n_kish, method="wilson")
    coverage = np.mean((lo <= p_true) & (p_true <= hi))
    assert coverage >= 0.95
    # The old rule (sum over groups of the largest question n = 96) undercovers.
    lo, hi = proportion_confint(share * 96, 96, method="wilson")
    assert np.mean((lo <= p_true) & (p_true <= hi)) < 0.95


def test_margin_rule_applies_to_the_displayed_difference():
    from finsam import fmt

    # 52,4 % vs 50,3 %: displayed +2,1 p.e. → "Högre"; 52,04 % vs 50,00 %: displayed +2,0 → "Varken …".
    # 0.5205 − 0.5 is 2.0499999999999963 points in floating point and is printed +2,0.
    diffs = np.array([0.524 - 0.503, 0.5204 - 0.5, 0.5 - 0.5204, 0.503 - 0.524, 0.5205 - 0.5])
    assert list(displayed_points(diffs)) == [2.1, 2.0, -2.0, -2.1, 2.0]
    assert list(comparison_label(diffs, 2.0)) == [
        "Högre", "Varken högre eller lägre", "Varken högre eller lägre", "Lägre", "Varken högre eller lägre",
    ]
    assert list(trend_arrow(diffs, 2.0)) == ["↑", "→", "→", "↓", "→"]
    # The label never contradicts the printed difference (fmt.pp), also at float-noise ties.
    grid = np.arange(-0.03, 0.03, 0.00005) + np.repeat([0.0, 1e-12, -1e-12], 1200)[:1200]
    printed = np.array([float(fmt.pp(d).split("\u00a0")[0].replace(",", ".").replace("\u2212", "-")) for d in grid])
    assert np.array_equal(displayed_points(grid), printed)


def test_diff_rest_lies_inside_its_interval_and_signif_uses_that_pair(small):
    a = row(small, year=2021, forbund="a", question="per_tid", gender="alla")
    assert a["diff_rest"] == pytest.approx(22 / 32 - 20 / 30)  # rest of the country = b
    assert a["diff_national_low"] <= a["diff_rest"] <= a["diff_national_high"]
    nat = row(small, year=2021, forbund="riket", question="per_tid", gender="alla")
    assert math.isnan(nat["diff_rest"])


def test_trend_basis_positive_at_indicator_level(cat):
    rows = [
        (2021, "a", "personal", "per_lyssnar", "utan_kon", 4, 10),  # positive, not clearly positive
        (2021, "a", "personal", "per_lyssnar", "utan_kon", 5, 10),
        (2022, "a", "personal", "per_lyssnar", "utan_kon", 4, 5),
        (2022, "a", "personal", "per_lyssnar", "utan_kon", 2, 15),
    ]
    for basis, prev, now in (("positive", 1.0, 0.25), ("key", 0.5, 0.0)):
        s = Settings(trend_basis=basis)
        ind = indicator_stats(apply_disclosure(question_stats(frame(rows), cat, s), s), s, cat)
        r = row(ind, year=2022, forbund="a", indicator=8, group="alla", gender="alla")
        assert (r["previous"], r["diff_previous"]) == pytest.approx((prev, now - prev))
        assert r["key_share"] == 0.0  # the key share itself does not depend on the basis


def test_no_comparison_across_a_wording_change(cat):
    # pag_tid was reworded in 2022 (version 2): no previous-year figure at question or indicator level.
    rows = [
        (2021, "a", "deltagare_pagaende", "pag_tid", "utan_kon", 5, 20),
        (2022, "a", "deltagare_pagaende", "pag_tid", "utan_kon", 5, 20),
        (2021, "a", "deltagare_pagaende", "pag_bestamma", "utan_kon", 5, 20),
        (2022, "a", "deltagare_pagaende", "pag_bestamma", "utan_kon", 5, 20),
    ]
    s = Settings()
    q = question_stats(frame(rows), cat, s)
    assert math.isnan(row(q, year=2022, forbund="a", question="pag_tid", gender="alla")["previous"])
    assert row(q, year=2022, forbund="a", question="pag_bestamma", gender="alla")["previous"] == 1.0
    ind = indicator_stats(apply_disclosure(q, s), s, cat)
    assert math.isnan(row(ind, year=2022, forbund="a", indicator=3, group="alla", gender="alla")["previous"])
    assert row(ind, year=2022, forbund="a", indicator=2, group="alla", gender="alla")["previous"] == 1.0


def test_indicator_6_pools_like_with_like(cat):
    # Q8 (yes/no, everyone) is the key share; Q9 (only after "Ja") and the staff question are beside it.
    rows = [
        (2023, "a", "deltagare_avslut", "avs_planering_paborjad", "utan_kon", 1, 26),
        (2023, "a", "deltagare_avslut", "avs_planering_paborjad", "utan_kon", 2, 4),
        (2023, "a", "deltagare_avslut", "avs_planering_tillracklig", "utan_kon", 6, 20),
        (2023, "a", "deltagare_avslut", "avs_planering_tillracklig", "utan_kon", 3, 6),
        (2023, "a", "personal", "per_planering", "utan_kon", 6, 10),
    ]
    s = Settings()
    ind = indicator_stats(apply_disclosure(question_stats(frame(rows), cat, s), s), s, cat)
    r = row(ind, year=2023, forbund="a", indicator=6, group="alla", gender="alla")
    assert r["key_share"] == pytest.approx(26 / 30) and r["yes"] == pytest.approx(26 / 30)
    assert r["questions"] == "avs_planering_paborjad" and r["n"] == 30
    assert math.isnan(r["clearly_positive"])
    keyed = cat.questions.loc[cat.questions["indicator_list"].map(lambda xs: 6 in xs)]
    assert dict(zip(keyed["question"], keyed["key"])) == {
        "avs_planering_paborjad": "yes", "avs_planering_tillracklig": "", "avs_planering_rimlig_tid": "",
        "per_planering": "",
    }
