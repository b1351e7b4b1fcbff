"""The Markdown includes of the start and Metod pages: reading guide, rules, scales, indicators, latest figures."""

from __future__ import annotations

from .. import fmt, texts
from ..catalog import load_catalog
from ..codes import (ALL, ALL_GROUPS, ARROW_DOWN, ARROW_FLAT, ARROW_UP, CAVEAT_SMALL, LABEL_HIGHER, LABEL_LOWER, LABEL_SAME,
                     NATIONAL)


def reading_guide(settings) -> str:
    level = fmt.level(settings.confidence)
    margin = fmt.margin(settings.margin_pp)
    return f"""\
- **Nyckeltal** är andelen *klart positiva* svar (de två högsta svarsalternativen, t.ex. "För det
  mesta" och "Alltid"), eller andelen "Ja" för ja/nej-frågor.
- **{level} KI** (konfidensintervall) visar hur osäker andelen är. Med få svar blir intervallet brett:
  en skillnad mellan två andelar vars intervall överlappar mycket kan vara slumpen.
- **Säkerställd skillnad** betyder att {level}-intervallet för skillnaden (förbundet mot resten av
  landet, eller mot förbundets eget föregående år) inte innehåller noll.
- **±{margin}-procentenhetersregeln** är NNS egen bedömning: en skillnad inom ±{margin} procentenheter
  kallas "{LABEL_SAME}". Regeln tar ingen hänsyn till antalet svar; läs den tillsammans med
  intervallet.
- **Pilar** visar förändring mot föregående år med samma marginal: {ARROW_UP} högre, {ARROW_FLAT} oförändrat, {ARROW_DOWN} lägre.
- **Få svar**: med färre än {settings.min_n} svar redovisas inget ("för få svar"); med färre än
  {settings.caution_n} svar står "{CAVEAT_SMALL}". Uppdelning på kvinnor och män visas bara när båda
  grupperna har minst {settings.gender_min_n} svar.
"""


def method_rules(settings) -> str:
    level = fmt.level(settings.confidence)
    margin = fmt.margin(settings.margin_pp)
    limits = fmt.join_list(fmt.level(x) for x in settings.funnel_limits)
    return f"""\
| Inställning | Värde | Källa |
|---|---|---|
| Intervallmetod för en andel | {texts.CI_METHOD_SHORT.get(settings.ci_method, settings.ci_method)} | projektets val |
| Konfidensnivå | {level} | projektets val |
| NNS marginal för "{LABEL_HIGHER}"/"{LABEL_LOWER}" och pilar | ±{margin} procentenheter | NNS rapporter (000) |
| Inget redovisas under | {settings.min_n} svar | röjandeskydd, projektets val |
| "Litet underlag" under | {settings.caution_n} svar | projektets val |
| Könsuppdelning kräver | minst {settings.gender_min_n} kvinnor och {settings.gender_min_n} män | NNS rapporter (004) |
| Trattdiagrammets kontrollgränser | {limits} | Spiegelhalter (2005) |

: Regler och trösklar i denna byggnad (från `finsam/settings.toml`). {{#tbl-installningar}}

Med färre än {settings.min_n} svar på en fråga publiceras varken andel, intervall eller jämförelse,
bara "för få svar (n < {settings.min_n})". Från {settings.min_n} till {settings.caution_n - 1} svar
visas siffrorna med förbehållet "{CAVEAT_SMALL}": då är {level}-intervallet ofta bredare än ±15
procentenheter. Kvinnor och män redovisas var för sig bara när båda grupperna har minst
{settings.gender_min_n} svar, som i NNS egna rapporter. Därutöver gäller *kompletterande
undertryckning*: om en grupp på 1–{settings.min_n - 1} personer skulle kunna räknas fram genom att
subtrahera publicerade tal (till exempel totalt minus kvinnor minus män) undertrycks även
könsuppdelningen.

En skillnad räknas som "{LABEL_HIGHER}" eller "{LABEL_LOWER}" enligt NNS regel först när den är större än
±{margin} procentenheter; exakt {margin} procentenheter är "{LABEL_SAME}".
"""


CLASS_NAMES = {
    "negative": "negativt",
    "neutral": "varken eller",
    "positive": "positivt",
    "clearly_positive": "positivt, klart positivt",
    "yes": "ja (nyckeltal)",
    "no": "nej",
}
SCALE_NAMES = {"frekvens": "Frekvens", "omfattning": "Omfattning", "janej": "Ja/nej"}


def scales_table() -> str:
    cat = load_catalog()
    lines = ["| Skala | Kod | Svarsalternativ | Klass |", "|---|--:|---|---|"]
    for scale in dict.fromkeys(cat.scales["scale"]):
        rows = cat.scales.loc[cat.scales["scale"] == scale].sort_values("code")
        for _, r in rows.iterrows():
            cls = CLASS_NAMES.get(r["class"], r["class"])
            if r["class"] == "clearly_positive":
                cls += " (nyckeltal)"
            lines.append(f"| {SCALE_NAMES.get(scale, scale)} | {int(r['code'])} | {r['label']} | {cls} |")
    lines.append("")
    lines.append(": Svarsskalor och klassning (från `data/catalog/scales.csv`). {#tbl-skalor}")
    return "\n".join(lines) + "\n"


def indicator_list() -> str:
    cat = load_catalog()
    lines = []
    for _, area in cat.areas.sort_values("order").iterrows():
        rows = cat.indicators.loc[cat.indicators["area"] == area["area"]].sort_values("indicator")
        if not len(rows):
            continue
        lines.append(f"**{area['name']}**\n")
        for _, r in rows.iterrows():
            note = "" if bool(r["questionnaire"]) else " *(mäts inte med enkät)*"
            lines.append(f"{int(r['indicator'])}. {r['name']}{note}")
        lines.append("")
    return "\n".join(lines)


def _count(n) -> str:
    import pandas as pd

    return fmt.MISSING if n is None or pd.isna(n) else fmt.integer(int(n))


def latest_table(dataset, settings, years: list[int], cache: dict) -> str:
    if not years:
        return "Inga data.\n"
    year = max(years)
    df = cache.get((year, "indicator"))
    head = f"{texts.NATIONAL_LABEL}, mätåret {year}: andel klart positiva svar (nyckeltal) per indikator.\n\n"
    if df is None or "forbund" not in getattr(df, "columns", []):
        return head + "Riksresultaten visas här när resultaten har beräknats (`finsam results`).\n"
    rows = df.loc[df["forbund"] == NATIONAL]
    if "gender" in rows.columns:
        rows = rows.loc[rows["gender"] == ALL]
    if "group" in rows.columns and rows["group"].astype(str).isin([ALL_GROUPS, ""]).any():
        rows = rows.loc[rows["group"].astype(str).isin([ALL_GROUPS, ""])]
    cat = load_catalog()
    lines = [head, f"| Indikator | Nyckeltal | {fmt.level(settings.confidence)} KI | n |", "|---|--:|--:|--:|"]
    for ind in sorted(int(i) for i in rows["indicator"].dropna().unique()):
        r = rows.loc[rows["indicator"].astype(float) == ind].iloc[0]
        name = cat.indicators.loc[cat.indicators["indicator"] == ind, "short_name"]
        label = f"{ind}. {name.iloc[0] if len(name) else ''}"
        withheld = bool(r.get("withheld")) is True
        if r.get("reason") == "no_answers":
            continue
        if withheld or fmt.is_missing(r.get("key_share")):
            lines.append(f"| {label} | för få svar | {fmt.MISSING} | {_count(r.get('n'))} |")
        else:
            lines.append(
                f"| {label} | {fmt.pct(r['key_share'])} | {fmt.interval(r.get('ci_low'), r.get('ci_high'))} "
                f"| {_count(r.get('n'))} |"
            )
    lines.append("")
    lines.append(
        f": {texts.NATIONAL_LABEL} {year}. KI = {fmt.level(settings.confidence)} konfidensintervall; "
        "n = effektivt antal svar (se Metod)."
    )
    return "\n".join(lines) + "\n"

