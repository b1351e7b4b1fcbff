"""The method paragraphs of every report ("Om siffrorna")."""

from __future__ import annotations

from .. import fmt, tables, texts
from ..codes import ARROW_DOWN, ARROW_FLAT, ARROW_UP, LABEL_HIGHER, LABEL_LOWER
from ..settings import Settings
from ..stats import proportion_ci
from .catview import CatalogView


def margin_text(settings: Settings) -> str:
    """The NNS margin in points as written in the text (``2`` or ``2,5``)."""
    return fmt.margin(settings.margin_pp)


_TREND_BASIS_TEXT = {"positive": "andelen positiva svar (ja för ja/nej-frågor), som i NNS rapporter",
                     "key": "nyckeltalet (klart positiva, ja för ja/nej-frågor)"}


def method_text(settings: Settings, cv: CatalogView) -> str:
    """"Om siffrorna": the key share, intervals, comparisons, indicators and small-n rules in plain Swedish."""
    conf = fmt.level(settings.confidence)
    m = margin_text(settings)
    ex_n, ex_share = 20, 0.5  # an illustration, not a rule
    (ex_low,), (ex_high,) = proportion_ci(ex_n * ex_share, ex_n, settings.ci_method, settings.confidence)
    lines = [
        "**Nyckeltal.** Nyckeltalet är andelen klart positiva svar, eller andelen ja för ja/nej-frågor, som i NNS "
        "nationella rapport. Svarsalternativen delas in så här:",
        "",
        *[f"- {s}" for s in cv.class_definitions()],
        "",
        f"**Osäkerhet.** Varje andel redovisas med ett {conf} konfidensintervall enligt "
        f"{texts.CI_METHOD.get(settings.ci_method, settings.ci_method)}. Med få svar blir intervallet brett: vid "
        f"{ex_n} svar och {fmt.pct(ex_share)} klart positiva sträcker det sig ungefär från {fmt.pct(ex_low)} till "
        f"{fmt.pct(ex_high)}.",
        "",
        f"**Jämförelser.** ”{LABEL_HIGHER}” och ”{LABEL_LOWER}” följer NNS regel: skillnaden mot rikssnittet, avrundad till en "
        f"decimal som den visas, är större än {m} procentenheter; pilarna {ARROW_UP} {ARROW_FLAT} {ARROW_DOWN} jämför på samma sätt med "
        f"förbundets resultat året före, räknat på {_TREND_BASIS_TEXT[settings.trend_basis]}. En skillnad kallas "
        f"*säkerställd* när {conf} konfidensintervallet för skillnaden (Newcombes metod) inte innehåller noll. "
        "Förbundet jämförs då med resten av landet, det vill säga riket utan förbundet självt. Jämförelsen mot "
        "föregående år görs bara för samma fråga med samma formulering; omformulerades frågan görs ingen "
        "jämförelse.",
        "",
        "**Indikatorer.** En indikators nyckeltal slår ihop de redovisade svaren på indikatorns nyckelfrågor "
        "(samma svarsklass; följdfrågor och frågor på en annan skala redovisas bredvid). Eftersom samma personer "
        "svarar på flera frågor beräknas intervallet med Kishs effektiva antal svar, (Σw)²/Σw², där w är antalet "
        "frågor varje person besvarat.",
        "",
        f"**Få svar.** Färre än {settings.min_n} svar på en fråga: ingenting redovisas, bara ”för få svar "
        f"(n < {settings.min_n})”. {settings.min_n}–{settings.caution_n - 1} svar: resultatet visas men markeras "
        f"som litet underlag ({tables.CAVEAT_MARK}). Kvinnor och män redovisas var för sig bara när minst "
        f"{settings.gender_min_n} kvinnor och {settings.gender_min_n} män har svarat på frågan. Dessutom döljs "
        f"uppgifter som annars skulle göra det möjligt att räkna fram svaren från en grupp på 1–{settings.min_n - 1} "
        "personer genom att dra redovisade tal från varandra.",
    ]
    return "\n".join(lines)
