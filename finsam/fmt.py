"""Swedish number formatting for reports (tables, sentences, alt texts).

Conventions (Språkrådet / Svenska skrivregler): decimal comma, a non-breaking
space between a number and its unit (``72 %``, ``3,1 p.e.``), a space as
thousands separator (``1 171``), the Unicode minus sign (``−3,1``) and an en
dash in ranges (``65–78``). Shares are fractions (0–1) in the data and are
rounded half up to whole percent for display, as in the NNS reports.

Missing values (``None``/``NaN``) format as an en dash.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NBSP = "\u00a0"
MINUS = "\u2212"
EN_DASH = "\u2013"
MISSING = EN_DASH

_SMALL_WORDS = {
    0: "noll", 1: "en", 2: "två", 3: "tre", 4: "fyra", 5: "fem", 6: "sex",
    7: "sju", 8: "åtta", 9: "nio", 10: "tio", 11: "elva", 12: "tolv",
}


def is_missing(x) -> bool:
    """True for ``None``, NaN and pandas' missing values."""
    if x is None:
        return True
    try:
        return bool(math.isnan(float(x)))
    except (TypeError, ValueError):
        return False


def thousands(n: int) -> str:
    """An integer with an ordinary space as thousands separator (terminal messages): ``12 345``."""
    return f"{int(n):,}".replace(",", " ")


def is_true(x) -> bool:
    """True only for a real True (pandas NA, NaN and None are False)."""
    try:
        return bool(x is True or (x is not None and not is_missing(x) and x == True))  # noqa: E712
    except (TypeError, ValueError):
        return False


def _round(x: float, decimals: int) -> Decimal:
    quantum = Decimal(1).scaleb(-decimals)
    return Decimal(repr(float(x))).quantize(quantum, rounding=ROUND_HALF_UP)


def number(x, decimals: int = 0, *, sign: bool = False) -> str:
    """A number with decimal comma, space thousands separator and Unicode minus.

    Parameters
    ----------
    x : float or int
        The value (``None``/NaN gives an en dash).
    decimals : int
        Decimals after rounding half up.
    sign : bool
        Write ``+`` before positive values (zero gets no sign).

    Examples
    --------
    >>> number(1171)
    '1\\xa0171'
    >>> number(-3.14159, 1)
    '−3,1'
    """
    if is_missing(x):
        return MISSING
    d = _round(x, decimals)
    if d == 0:
        d = abs(d)  # no "−0"
    negative = d < 0
    text = f"{abs(d):,.{decimals}f}".replace(",", NBSP).replace(".", ",")
    if negative:
        return MINUS + text
    if sign and d > 0:
        return "+" + text
    return text


def integer(n) -> str:
    """An integer count with space thousands separator (``1 171``)."""
    return number(n, 0)


def pct(share, decimals: int = 0) -> str:
    """A share (fraction) as a percentage: ``0.724`` → ``72 %``."""
    if is_missing(share):
        return MISSING
    return number(float(share) * 100, decimals) + NBSP + "%"


def level(share) -> str:
    """A confidence level or coverage with only the decimals it needs.

    ``0.95`` → ``95 %``, ``0.998`` → ``99,8 %`` (at most three decimals).
    """
    if is_missing(share):
        return MISSING
    value = round(float(share) * 100, 6)
    decimals = 0
    while decimals < 3 and round(value, decimals) != value:
        decimals += 1
    return pct(share, decimals)


def ci_label(confidence) -> str:
    """Short name of a confidence interval: ``0.9`` → ``90 % KI``."""
    return f"{level(confidence)} KI"


def pct_number(share, decimals: int = 0) -> str:
    """A share as a bare percent number without the sign: ``0.724`` → ``72``."""
    if is_missing(share):
        return MISSING
    return number(float(share) * 100, decimals)


def interval(low, high, decimals: int = 0) -> str:
    """An interval of shares as percent numbers: ``65–78``."""
    if is_missing(low) or is_missing(high):
        return MISSING
    return f"{pct_number(low, decimals)}{EN_DASH}{pct_number(high, decimals)}"


def pct_interval(share, low, high, decimals: int = 0) -> str:
    """Share with its interval: ``72 % (65–78)``."""
    if is_missing(share):
        return MISSING
    if is_missing(low) or is_missing(high):
        return pct(share, decimals)
    return f"{pct(share, decimals)} ({interval(low, high, decimals)})"


def pp(diff, decimals: int = 1) -> str:
    """A difference of shares in percentage points: ``0.031`` → ``+3,1 p.e.``."""
    if is_missing(diff):
        return MISSING
    return number(float(diff) * 100, decimals, sign=True) + NBSP + "p.e."


def pp_interval(low, high, decimals: int = 1) -> str:
    """An interval of a difference in points: ``+0,5 till +6,2 p.e.``."""
    if is_missing(low) or is_missing(high):
        return MISSING
    return (f"{number(float(low) * 100, decimals, sign=True)} till "
            f"{number(float(high) * 100, decimals, sign=True)}{NBSP}p.e.")


def n_label(n) -> str:
    """The number of answers: ``n = 42``."""
    return f"n{NBSP}={NBSP}{integer(n)}"


def count_word(n: int, *, neuter: bool = False) -> str:
    """A count in words up to twelve, digits above (Swedish style).

    ``neuter`` selects *ett* for 1 (ett förbund) instead of *en* (en indikator).
    """
    n = int(n)
    if n == 1 and neuter:
        return "ett"
    if 0 <= n <= 12:
        return _SMALL_WORDS[n]
    return integer(n)


def join_list(items) -> str:
    """Swedish list: ``a, b och c``."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " och " + items[-1]


def margin(points) -> str:
    """An NNS margin in percentage points as written in text: ``2`` or ``2,5``."""
    return number(points, 1 if float(points) % 1 else 0)


def capitalize(text: str) -> str:
    """Upper-case the first character only."""
    return text[:1].upper() + text[1:]
