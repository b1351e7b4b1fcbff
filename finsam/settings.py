"""Settings: every threshold and method choice, loaded from ``settings.toml``.

The defaults live in :file:`finsam/settings.toml` next to this module, each with
its source. A user overrides them with a TOML file of the same shape or with
keyword arguments (the notebooks pass their parameters this way).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

DEFAULTS_FILE = Path(__file__).with_name("settings.toml")

CI_METHODS = ("wilson", "jeffreys", "clopper_pearson")
#: Share a previous-year comparison is made on: NNS's positive share (004) or the key share.
TREND_BASES = ("positive", "key")


def _read_toml(path: Path) -> dict:
    with open(path, "rb") as fh:
        data = tomllib.load(fh)
    flat: dict = {}
    for section in data.values():
        if isinstance(section, dict):
            flat.update(section)
    return flat


_TYPES = {
    "ci_method": str, "confidence": (int, float), "margin_pp": (int, float), "min_n": int,
    "caution_n": int, "gender_min_n": int, "funnel_limits": (list, tuple), "trend_basis": str,
}
_TYPE_TEXT = {
    "ci_method": "ska vara en text", "confidence": "ska vara ett tal", "margin_pp": "ska vara ett tal",
    "min_n": "ska vara ett heltal", "caution_n": "ska vara ett heltal", "gender_min_n": "ska vara ett heltal",
    "funnel_limits": "ska vara en lista med tal mellan 0 och 1", "trend_basis": "ska vara en text",
}


@dataclass(frozen=True)
class Settings:
    """Statistics and disclosure settings.

    Parameters
    ----------
    ci_method : {"wilson", "jeffreys", "clopper_pearson"}
        Interval method for a single share.
    confidence : float
        Confidence level of all intervals.
    margin_pp : float
        NNS margin in percentage points for "Högre"/"Lägre" and arrows.
    min_n : int
        Cells with fewer answers are withheld.
    caution_n : int
        Cells with fewer answers (but at least ``min_n``) carry a caveat.
    gender_min_n : int
        Minimum answers from women and from men for a gender split.
    funnel_limits : tuple of float
        Coverage of the funnel plot control limits.
    trend_basis : {"positive", "key"}
        Share compared with the previous year: the positive share (positive
        including clearly positive; "Ja" for yes/no questions), as NNS's
        "Resultat jämfört med" (004), or the key share.
    """

    ci_method: str = "wilson"
    confidence: float = 0.95
    margin_pp: float = 2.0
    min_n: int = 5
    caution_n: int = 30
    gender_min_n: int = 10
    funnel_limits: tuple[float, ...] = field(default=(0.95, 0.998))
    trend_basis: str = "positive"

    def __post_init__(self) -> None:
        problems = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            expected = _TYPES[f.name]
            ok = isinstance(value, expected) and not isinstance(value, bool)
            if f.name == "funnel_limits":
                ok = isinstance(value, (list, tuple)) and all(
                    isinstance(x, (int, float)) and not isinstance(x, bool) and 0 < x < 1 for x in value
                )
            if not ok:
                problems.append(f"{f.name}: {_TYPE_TEXT[f.name]}, inte {value!r}")
        if problems:
            raise ValueError("Ogiltiga inställningar: " + "; ".join(problems))
        if self.ci_method not in CI_METHODS:
            problems.append(
                f"ci_method: okänd metod {self.ci_method!r} (välj {', '.join(CI_METHODS)})"
            )
        if self.trend_basis not in TREND_BASES:
            problems.append(
                f"trend_basis: okänd jämförelsegrund {self.trend_basis!r} (välj {', '.join(TREND_BASES)})"
            )
        if not 0 < self.confidence < 1:
            problems.append(f"confidence: måste ligga mellan 0 och 1, inte {self.confidence}")
        if self.margin_pp < 0:
            problems.append(f"margin_pp: får inte vara negativ ({self.margin_pp})")
        if not 1 <= self.min_n <= self.caution_n:
            problems.append(
                f"min_n ({self.min_n}) måste vara minst 1 och högst caution_n ({self.caution_n})"
            )
        if self.gender_min_n < self.min_n:
            problems.append(
                f"gender_min_n ({self.gender_min_n}) får inte vara mindre än min_n ({self.min_n})"
            )
        if problems:
            raise ValueError("Ogiltiga inställningar: " + "; ".join(problems))
        object.__setattr__(self, "funnel_limits", tuple(float(x) for x in self.funnel_limits))

    @classmethod
    def from_toml(cls, path: str | Path | None = None, **overrides) -> "Settings":
        """Defaults from ``settings.toml``, then ``path``, then ``overrides``."""
        values = _read_toml(DEFAULTS_FILE)
        if path is not None:
            values.update(_read_toml(Path(path)))
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "limits" in values:
            values["funnel_limits"] = tuple(values.pop("limits"))
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise ValueError("Okända inställningar: " + ", ".join(unknown))
        return cls(**values)

    def as_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["funnel_limits"] = list(self.funnel_limits)
        return d

    def fingerprint(self) -> str:
        """Stable hash of the settings (used by the incremental build)."""
        blob = json.dumps(self.as_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


DEFAULT_SETTINGS = Settings.from_toml()
