"""Settings: defaults from settings.toml, overrides, and clear Swedish errors."""

import pytest

from finsam.settings import DEFAULT_SETTINGS, Settings


def test_defaults_come_from_settings_toml():
    assert DEFAULT_SETTINGS == Settings(
        ci_method="wilson", confidence=0.95, margin_pp=2.0, min_n=5, caution_n=30, gender_min_n=10,
        funnel_limits=(0.95, 0.998),
    )


def test_override_file_and_keywords(tmp_path):
    f = tmp_path / "mina.toml"
    f.write_text('[small_n]\nmin_n = 3\n[intervals]\nci_method = "jeffreys"\n', encoding="utf-8")
    s = Settings.from_toml(f, caution_n=20)
    assert (s.min_n, s.ci_method, s.caution_n, s.gender_min_n) == (3, "jeffreys", 20, 10)
    assert s.fingerprint() != DEFAULT_SETTINGS.fingerprint()


def test_wrong_types_and_values_listed_together(tmp_path):
    f = tmp_path / "fel.toml"
    f.write_text('[small_n]\nmin_n = "x"\ngender_min_n = true\n[intervals]\nconfidence = "hög"\n', encoding="utf-8")
    with pytest.raises(ValueError) as err:
        Settings.from_toml(f)
    message = str(err.value)
    assert "min_n: ska vara ett heltal, inte 'x'" in message
    assert "gender_min_n: ska vara ett heltal, inte True" in message
    assert "confidence: ska vara ett tal, inte 'hög'" in message


def test_unknown_setting_and_method_refused():
    with pytest.raises(ValueError, match="Okända inställningar: min_antal"):
        Settings.from_toml(min_antal=5)
    with pytest.raises(ValueError, match="okänd metod 'agresti'"):
        Settings(ci_method="agresti")
    with pytest.raises(ValueError, match=r"min_n \(40\) måste vara minst 1 och högst caution_n \(30\)"):
        Settings(min_n=40)
