"""The survey catalogue against the seed reports (000–004)."""

import pandas as pd
import pytest

from finsam.catalog import CatalogError, load_catalog


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def test_sixteen_indicators_in_seven_areas(cat):
    assert list(cat.indicators["indicator"]) == list(range(1, 17))
    assert cat.indicators["area"].nunique() == 7
    assert set(cat.indicators["area"]) == set(cat.areas["area"])
    # Indicator 11 is a register study (000, 001, 004): no questionnaire, no questions.
    not_measured = cat.indicators.loc[~cat.indicators["questionnaire"], "indicator"].tolist()
    assert not_measured == [11]
    assert 11 not in set(cat.question_indicators()["indicator"])


def test_group_ids_exact(cat):
    assert cat.group_ids == [
        "deltagare_pagaende", "deltagare_avslut", "personal", "forbundschef",
        "styrelse", "chefsgrupp", "remittent",
    ]
    aliases = cat.groups.set_index("group")["alias_list"]
    assert "Beredningsgruppen" in aliases["chefsgrupp"]
    assert "Parternas chefsgrupp" in aliases["chefsgrupp"]


def test_scales_codes_and_classes(cat):
    assert cat.scale_codes("frekvens") == [1, 2, 3, 4, 5, 6]
    assert cat.scale_codes("omfattning") == [1, 2, 3, 4, 5, 6]
    assert cat.scale_codes("janej") == [1, 2]
    assert cat.scale_classes("frekvens") == {
        1: "negative", 2: "negative", 3: "neutral", 4: "positive",
        5: "clearly_positive", 6: "clearly_positive",
    }
    labels = cat.scales.set_index(["scale", "code"])["label"]
    assert labels[("frekvens", 5)] == "För det mesta"
    assert labels[("omfattning", 6)] == "Helt och hållet"
    assert labels[("janej", 1)] == "Ja"
    assert cat.key_class("janej") == "yes"
    assert cat.key_class("omfattning") == "clearly_positive"
    assert list(cat.genders.sort_values("code")["gender"]) == ["kvinna", "man", "ej_uppgett", "utan_kon"]


@pytest.mark.parametrize(
    "year, group, count",
    [
        # 003: the 2017 forms (34 mätpunkter in all).
        (2017, "deltagare_pagaende", 7), (2017, "deltagare_avslut", 10), (2017, "personal", 9),
        (2017, "forbundschef", 3), (2017, "styrelse", 3), (2017, "chefsgrupp", 2),
        # 002: the 2019 forms.
        (2019, "deltagare_pagaende", 7), (2019, "deltagare_avslut", 10), (2019, "personal", 9),
        (2019, "chefsgrupp", 4), (2019, "styrelse", 3), (2019, "forbundschef", 0),
    ],
)
def test_forms_per_year(cat, year, group, count):
    assert len(cat.questions_in(year, group)) == count


def test_2017_has_34_measurement_points(cat):
    assert len(cat.questions_in(2017)) == 34


# 001 (Västmanland 2024): the questions shown per indicator, as (group, indicator) → count.
_001_2024 = {
    ("deltagare_pagaende", 1): 1, ("deltagare_avslut", 1): 1,
    ("deltagare_pagaende", 2): 1, ("deltagare_avslut", 2): 1,
    ("deltagare_pagaende", 3): 1, ("deltagare_avslut", 3): 1, ("personal", 3): 1,
    ("deltagare_pagaende", 4): 1, ("deltagare_avslut", 4): 1,
    ("deltagare_pagaende", 5): 1, ("deltagare_avslut", 5): 1,
    ("deltagare_avslut", 6): 3, ("personal", 6): 1,
    ("deltagare_pagaende", 7): 1, ("deltagare_avslut", 7): 1,
    ("personal", 8): 2,
    ("deltagare_pagaende", 9): 1, ("deltagare_avslut", 9): 1, ("personal", 9): 1,
    ("personal", 10): 1, ("personal", 12): 1, ("personal", 13): 2, ("personal", 16): 2,
}


def test_001_questions_present_in_2024(cat):
    qi = cat.question_indicators()
    valid = qi[(qi["first_year"] <= 2024) & (qi["last_year"].isna() | (qi["last_year"] >= 2024))]
    counts = valid.groupby(["group", "indicator"]).size()
    for key, expected in _001_2024.items():
        assert counts.get(key, 0) == expected, key


def test_indicator_4_changed_in_2022(cat):
    old = cat.questions_in(2021)
    new = cat.questions_in(2022)
    ind4 = lambda df: set(df.loc[df["indicators"] == "4", "question"])  # noqa: E731
    assert ind4(old) == {"pag_person_team", "avs_person_team"}
    assert ind4(new) == {"pag_kontakter", "avs_kontakter"}
    assert cat.question_version("pag_person_team", 2021)["scale"] == "janej"
    assert cat.question_version("pag_kontakter", 2022)["scale"] == "frekvens"


def test_indicator_16_from_2021(cat):
    assert not (cat.questions_in(2020)["indicators"] == "16").any()
    assert (cat.questions_in(2021)["indicators"] == "16").sum() == 2


def test_conditional_questions(cat):
    q = cat.questions.set_index("question")
    conditional = q[q["condition_question"] != ""]
    assert sorted(conditional.index) == ["avs_planering_rimlig_tid", "avs_planering_tillracklig"]
    assert set(conditional["condition_question"]) == {"avs_planering_paborjad"}
    assert set(conditional["condition_answer"]) == {1}
    assert q.loc["avs_planering_paborjad", "scale"] == "janej"


def test_same_id_keeps_wording_across_renumbering(cat):
    # chefsgrupp's structure question moved from Q1 (2017) to Q3 (2019): same id, comparable.
    assert cat.question_version("chg_strukturer", 2017)["number"] == 1
    assert cat.question_version("chg_strukturer", 2019)["number"] == 3
    assert cat.question_version("fc_naringsliv", 2018) is None


def test_every_question_has_source_and_scale(cat):
    assert (cat.questions["source"].str.len() > 0).all()
    assert set(cat.questions["scale"]) <= set(cat.scales["scale"])


def test_broken_catalogue_is_refused(tmp_path):
    import shutil
    from pathlib import Path

    from finsam._paths import CATALOG_DIR

    for f in CATALOG_DIR.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    q = pd.read_csv(tmp_path / "questions.csv", dtype=str, keep_default_na=False)
    q.loc[0, "scale"] = "sjugradig"
    q.loc[1, "first_year"] = "2017"
    q.loc[1, "last_year"] = "2016"
    q.to_csv(tmp_path / "questions.csv", index=False)
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    message = str(err.value)
    assert "questions.csv rad 2, kolumn scale: okänd skala 'sjugradig'" in message
    assert "questions.csv rad 3, kolumn last_year" in message


# Wording per form, as printed in the seeds: (year, question id) → text.
_WORDING = {
    # 003, the 2017 forms (tables 5–10)
    (2017, "pag_nytta"): "Får du stödet som är till stor nytta för dig?",
    (2017, "pag_tillvara"): "Tar personalen tillvara dina erfarenheter, kunskaper och synpunkter?",
    (2017, "avs_tillvara"): "Tar personalen tillvara dina erfarenheter, kunskaper och synpunkter?",
    (2017, "fc_tillvara_brukarorg"): "Tas erfarenheter, kunskaper och synpunkter från brukarorganisationer systematiskt tillvara?",
    (2017, "chg_forebyggande"): "Har erfarenheter från er samverkan lett till att förebyggande insatser utvecklats?",
    # 002, the 2019 forms
    (2019, "pag_nytta"): "Får du stöd på ett sätt som är till stor nytta för dig?",
    (2019, "avs_tillvara"): "Har personalen tagit tillvara dina erfarenheter, kunskaper och synpunkter?",
    (2019, "avs_bestamma"): "Har du fått vara med och bestämma vilket stöd du får/har fått?",
    (2019, "chg_tillvara_brukarorg"): "Tas erfarenheter, kunskaper och synpunkter från brukarorganisationer systematiskt tillvara?",
    (2019, "sty_anvander"): "Använder ni uppföljning och utvärdering som underlag för att utveckla de samordnade rehabiliteringsinsatserna?",
    # 001, the 2022+ wording (Västmanland 2024)
    (2024, "pag_tid"): "Får stödet ta den tid som du behöver?",
    (2024, "avs_bestamma"): "Har du fått vara med och bestämma vilket stöd som du får/har fått?",
    (2024, "avs_tillvara"): "Upplever du att personalen har tagit tillvara dina erfarenheter, kunskaper och synpunkter?",
    (2024, "pag_kontakter"): "Stödjer insatsen dig i kontakterna med myndigheterna och vården?",
    (2024, "per_jamstalldhet_tid"): "Avsätts tid till lärande och reflektion kopplat till jämställdhet, jämlikhet och mångfald?",
}


@pytest.mark.parametrize("year, question", sorted(_WORDING))
def test_wording_per_year_as_printed(cat, year, question):
    assert cat.question_version(question, year)["text"] == _WORDING[(year, question)]


def test_wording_versions_keep_scale_group_and_indicator(cat):
    for qid, rows in cat.questions.groupby("question"):
        assert rows["scale"].nunique() == 1 and rows["group"].nunique() == 1, qid
        assert rows["indicators"].nunique() == 1, qid


def test_year_span_text():
    from finsam.catalog import year_span

    assert year_span(2017, 2021) == "2017–2021"
    assert year_span(2022, pd.NA) == "2022–"
    assert year_span(2017, 2017) == "2017–2017"
    assert year_span(2017, 2017, collapse=True) == "2017"


def _broken_catalog(tmp_path, edit):
    import shutil
    from pathlib import Path

    from finsam._paths import CATALOG_DIR

    for f in Path(CATALOG_DIR).glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    q = pd.read_csv(tmp_path / "questions.csv", dtype=str, keep_default_na=False)
    edit(q)
    q.to_csv(tmp_path / "questions.csv", index=False)
    with pytest.raises(CatalogError) as err:
        load_catalog(tmp_path)
    return str(err.value)


def test_catalog_key_and_version_rules(tmp_path):
    def conditional_key(q):
        q.loc[q["question"] == "avs_planering_tillracklig", "key"] = "clearly_positive"

    def mixed(q):
        q.loc[q["question"] == "per_planering", "key"] = "clearly_positive"

    def reworded(q):
        q.loc[(q["question"] == "pag_tid") & (q["first_year"] == "2022"), "version"] = "1"

    for sub, edit, message in (("a", conditional_key, "villkorad fråga"), ("b", mixed, "blandar nyckelklasser"),
                               ("c", reworded, "utan ny version")):
        (tmp_path / sub).mkdir()
        assert message in _broken_catalog(tmp_path / sub, edit)
