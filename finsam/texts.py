"""Swedish text keyed by code: every fixed word the reports and the site print for a code.

Generated sentences (with numbers) are written by the report modules; the
fixed vocabulary they use lives here, so that one code has one wording.
"""

from __future__ import annotations

from . import codes

#: Title of the notice shown on every report and page built from synthetic data.
SYNTHETIC_NOTICE_TITLE = "Syntetiska demodata – siffrorna är påhittade"
#: Body text of the synthetic-data notice.
SYNTHETIC_NOTICE_TEXT = ("Förbundens namn är verkliga men alla siffror är påhittade. "
                         "Dra inga slutsatser om något förbund.")
#: A gender view as a plural noun ("kvinnor").
VIEW_WORD = {"alla": "alla", "kvinna": "kvinnor", "man": "män"}
#: A gender view as a column or row label ("Kvinnor").
VIEW_LABEL = {"alla": "Alla", "kvinna": "Kvinnor", "man": "Män"}
#: The name of the national pseudo-förbund in a table.
NATIONAL_LABEL = "Riket"
#: The year page's warning about reports whose last run failed.
OUTDATED_TITLE = "Inaktuella rapporter"
OUTDATED_TEXT = "Rätta felet och kör `finsam build` igen; tills dess visas den tidigare versionen, om det finns en."
#: Series breaks by kind: the mark put before the year, and what it means.
BREAK_MARKS = {
    "questions": ("|", "frågorna ändrades det året"),
    "groups": ("¦", "indikatorn bygger på andra respondentgrupper än året före"),
    "other": ("¦", "indikatorn bygger på andra frågor än året före"),
}
#: Said once after the break marks are explained.
BREAK_CONSEQUENCE = "Efter ett sådant brott i serien jämförs värdet inte med året före."
#: Interval methods as the method text names them.
CI_METHOD = {
    "wilson": "Wilsons metod (Wilson score-intervall)",
    "jeffreys": "Jeffreys metod",
    "clopper_pearson": "Clopper–Pearsons exakta metod",
}
#: Interval methods by their short names (the settings table of the Metod page).
CI_METHOD_SHORT = {"wilson": "Wilson", "jeffreys": "Jeffreys", "clopper_pearson": "Clopper–Pearson"}
#: Short reason of a withheld cell (in tables); ``{min_n}`` is filled in.
SHORT_REASON = {
    "no_answers": "inga svar",
    "min_n": "för få svar (n < {min_n})",
    "gender_min_n": "för få per kön",
    "residual": "dold (kön kan räknas fram)",
    "complement": "dold (skydd)",
    "secondary": "dold (skydd)",
    "no_published": "dold (skydd av små grupper)",
}
#: A cell that is not shown without a reason code.
NOT_SHOWN = "visas inte"
#: Comparison labels in running text (lower case).
LABEL_WORD = {codes.LABEL_HIGHER: "högre", codes.LABEL_LOWER: "lägre",
              codes.LABEL_SAME: "varken högre eller lägre"}


def short_reason(code, min_n: int) -> str:
    """The short reason text of a withheld cell (``visas inte`` without a code)."""
    if not isinstance(code, str) or not code:
        return NOT_SHOWN
    return SHORT_REASON.get(code, code).format(min_n=min_n)


def period(year: int) -> str:
    """The measurement period of a year in running text."""
    if year == codes.FIRST_NATIONAL_YEAR:
        return "den första nationella mätningen, hösten 2017"
    return f"mätperioden 1 november {year - 1} – 31 oktober {year}"
#: Symbol of a comparison class (:mod:`finsam.reports.glance`): shape, not only colour, carries the class.
CLASS_SYMBOL = {"higher": "▲", "same": "○", "lower": "▼"}
#: A comparison class in a legend.
CLASS_WORD = {"higher": "säkerställt högre", "same": "ingen säkerställd skillnad", "lower": "säkerställt lägre"}
#: Symbol of a cell without a comparison (withheld or no national figure).
NO_CLASS_SYMBOL = "·"


def no_national(count: int, year: int, minimum: int) -> str:
    """Why a förbund report has no national comparison (too few förbund in the data)."""
    forbund = "ett förbund" if count == 1 else f"{count} förbund"
    return (f"Ingen jämförelse med riket: data för {year} innehåller bara {forbund}, så ett rikssnitt skulle "
            f"till stor del vara förbundets egna svar (minst {minimum} förbund behövs). Lägg NNS riksreferens "
            "(national.csv och national_participation.csv, eller bladen national och national_participation) "
            "i datamappen, eller kör rapporten på data som omfattar fler förbund.")
