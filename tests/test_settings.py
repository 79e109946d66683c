"""Settings: defaults, env, TOML file, and refusing bad values at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockturn.errors import SettingsError
from stockturn.settings import Settings, describe_settings, load_settings


def test_defaults() -> None:
    settings = load_settings()
    assert settings.base_currency == "USD"
    assert settings.db == Path("stockturn.duckdb")


def test_env_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "stockturn.toml"
    config.write_text('base_currency = "EUR"\nreview_period_days = 14\n')
    monkeypatch.setenv("STOCKTURN_CONFIG", str(config))
    assert load_settings().base_currency == "EUR"
    assert load_settings().review_period_days == 14
    monkeypatch.setenv("STOCKTURN_BASE_CURRENCY", "GBP")
    assert load_settings().base_currency == "GBP"
    assert load_settings(base_currency="CNY").base_currency == "CNY"


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [("BASE_CURRENCY", "dollars", "base_currency"), ("SERVICE_LEVEL_A", "1.5", "service_level_a"),
     ("REVIEW_PERIOD_DAYS", "-3", "review_period_days")],
)
def test_bad_value_names_the_setting(monkeypatch: pytest.MonkeyPatch, name: str, value: str, expected: str) -> None:
    monkeypatch.setenv(f"STOCKTURN_{name}", value)
    with pytest.raises(SettingsError, match=f"setting {expected}"):
        load_settings()


def test_unknown_key_in_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "stockturn.toml"
    config.write_text("base_curency = 'EUR'\n")
    monkeypatch.setenv("STOCKTURN_CONFIG", str(config))
    with pytest.raises(SettingsError, match="base_curency"):
        load_settings()


def test_broken_toml_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "stockturn.toml"
    config.write_text("base_currency = \n")
    monkeypatch.setenv("STOCKTURN_CONFIG", str(config))
    with pytest.raises(SettingsError, match="cannot read settings"):
        load_settings()


def test_every_setting_has_help() -> None:
    rows = describe_settings(Settings())
    assert {row["name"] for row in rows} == set(Settings.model_fields)
    assert all(row["help"] for row in rows)
