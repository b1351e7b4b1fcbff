"""Settings: every threshold and method choice, loaded from ``settings.toml``.

The defaults live in :file:`finsam/settings.toml` next to this module, each with
its source; it is their only source (the dataclass defaults are read from it).
A user overrides them with a TOML file of the same shape, a dict or keyword
arguments. A notebook template takes them as one parameter ``settings`` (a dict
as :meth:`Settings.as_dict` gives it, or the path of a TOML file) and calls
:meth:`Settings.load`; every function below the entry points receives the
:class:`Settings` object explicitly.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SettingsError

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


def _renamed(values: dict) -> dict:
    """``[funnel] limits`` of the TOML file is the field ``funnel_limits``."""
    out = dict(values)
    if "limits" in out:
        out["funnel_limits"] = tuple(out.pop("limits"))
    return out


#: The defaults, read once from ``settings.toml``.
_DEFAULTS = _read_toml(DEFAULTS_FILE)

_TYPES = {
    "ci_method": str, "confidence": (int, float), "margin_pp": (int, float), "min_n": int,
    "caution_n": int, "gender_min_n": int, "funnel_limits": (list, tuple), "trend_basis": str,
    "min_forbund_national": int,
}
_TYPE_TEXT = {
    "ci_method": "ska vara en text", "confidence": "ska vara ett tal", "margin_pp": "ska vara ett tal",
    "min_n": "ska vara ett heltal", "caution_n": "ska vara ett heltal", "gender_min_n": "ska vara ett heltal",
    "funnel_limits": "ska vara en lista med tal mellan 0 och 1", "trend_basis": "ska vara en text",
    "min_forbund_national": "ska vara ett heltal",
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
    min_forbund_national : int
        Without a national reference, a year with fewer förbund in the data
        has no national comparison (reason code ``few_forbund``).
    """

    ci_method: str = _DEFAULTS["ci_method"]
    confidence: float = _DEFAULTS["confidence"]
    margin_pp: float = _DEFAULTS["margin_pp"]
    min_n: int = _DEFAULTS["min_n"]
    caution_n: int = _DEFAULTS["caution_n"]
    gender_min_n: int = _DEFAULTS["gender_min_n"]
    funnel_limits: tuple[float, ...] = field(default=tuple(_DEFAULTS["limits"]))
    trend_basis: str = _DEFAULTS["trend_basis"]
    min_forbund_national: int = _DEFAULTS["min_forbund_national"]

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
            raise SettingsError("Ogiltiga inställningar: " + "; ".join(problems))
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
        if self.min_forbund_national < 1:
            problems.append(f"min_forbund_national: måste vara minst 1, inte {self.min_forbund_national}")
        if self.gender_min_n < self.min_n:
            problems.append(
                f"gender_min_n ({self.gender_min_n}) får inte vara mindre än min_n ({self.min_n})"
            )
        if problems:
            raise SettingsError("Ogiltiga inställningar: " + "; ".join(problems))
        object.__setattr__(self, "funnel_limits", tuple(float(x) for x in self.funnel_limits))

    @classmethod
    def from_toml(cls, path: str | Path | None = None, **overrides) -> "Settings":
        """Defaults from ``settings.toml``, then ``path``, then ``overrides``.

        Raises
        ------
        SettingsError
            Unknown keys, wrong types or inconsistent values; a file that cannot be read.
        """
        values = _renamed(_DEFAULTS)
        if path is not None:
            try:
                values.update(_renamed(_read_toml(Path(path))))
            except OSError as exc:
                raise SettingsError(f"Kunde inte läsa inställningsfilen {path}: {exc.strerror or exc}") from None
            except tomllib.TOMLDecodeError as exc:
                raise SettingsError(f"Inställningsfilen {path} är inte giltig TOML: {exc}") from None
        values.update(_renamed({k: v for k, v in overrides.items() if v is not None}))
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - names)
        if unknown:
            raise SettingsError("Okända inställningar: " + ", ".join(unknown))
        return cls(**values)

    @classmethod
    def load(cls, value: "Settings | dict | str | Path | None" = None) -> "Settings":
        """The settings of a notebook parameter or a caller.

        Parameters
        ----------
        value : Settings, dict, str, Path or None
            ``None``, ``{}`` or ``""``: the defaults. A dict: overrides of the
            defaults, keyed as in :meth:`as_dict` (``limits`` is accepted for
            ``funnel_limits``). A string or path: a TOML file like
            ``settings.toml``. A :class:`Settings`: itself.

        Raises
        ------
        SettingsError
        """
        if isinstance(value, Settings):
            return value
        if value is None or (isinstance(value, (str, dict)) and not value):
            return cls.from_toml()
        if isinstance(value, dict):
            return cls.from_toml(**value)
        if isinstance(value, (str, Path)):
            return cls.from_toml(Path(value).expanduser())
        raise SettingsError(f"settings ska vara en ordlista eller sökvägen till en TOML-fil, inte {value!r}")

    def as_dict(self) -> dict:
        """Every setting as a JSON-compatible dict (the notebooks' ``settings`` parameter)."""
        d = dataclasses.asdict(self)
        d["funnel_limits"] = list(self.funnel_limits)
        return d

    def fingerprint(self) -> str:
        """Stable hash of the settings (used by the incremental build)."""
        blob = json.dumps(self.as_dict(), sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]


#: The defaults of ``settings.toml`` (entry points use it when the user gives no settings).
DEFAULT_SETTINGS = Settings.from_toml()
