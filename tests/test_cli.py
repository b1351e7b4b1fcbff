"""The command line: English command/option names, Swedish help and messages."""

from click.testing import CliRunner

from finsam.cli import main


def test_commands_and_swedish_help():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "demo", "report", "results", "template", "validate"):
        assert f"  {command} " in result.output
    assert "Användning: finsam [FLAGGOR]" in result.output
    assert "Visa den här hjälpen och avsluta." in result.output
    assert "Show this message" not in result.output


def test_build_options_exact():
    result = CliRunner().invoke(main, ["build", "--help"])
    assert result.exit_code == 0
    for option in ("--data", "--year", "--forbund", "--jobs", "--force", "--no-render", "--settings"):
        assert option in result.output


def test_usage_error_in_swedish_exit_2():
    result = CliRunner().invoke(main, ["results", "--year", "x", "--out", "a.csv"])
    assert result.exit_code == 2
    assert "Fel: Ogiltigt värde för '--year': 'x' är inte ett giltigt heltal." in result.output


def test_template_refuses_non_xlsx_and_unwritable(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["template", str(tmp_path / "mall.csv")])
    assert result.exit_code == 2
    assert "ge ett filnamn som slutar på .xlsx, inte 'mall.csv'" in result.output
    assert not (tmp_path / "mall.csv").exists()
    (tmp_path / "katalog.xlsx").mkdir()
    result = runner.invoke(main, ["template", str(tmp_path / "katalog.xlsx")])
    assert result.exit_code == 2
    assert "det är en katalog, inte en fil" in result.output
    result = runner.invoke(main, ["template", str(tmp_path / "mall.xlsx")])
    assert result.exit_code == 0 and (tmp_path / "mall.xlsx").is_file()
