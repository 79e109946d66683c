"""The one table of settings. Each field is a setting: its name, type, default and help live here only.

Values come from, highest priority first: explicit overrides (CLI flags), environment variables
(`STOCKTURN_<NAME>`), the TOML file (`stockturn.toml` in the working directory, or the file named by
`STOCKTURN_CONFIG`), then the defaults below. `stockturn settings` lists them; docs/settings.md documents
them, and a test fails when one is missing there.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from stockturn.errors import SettingsError

CONFIG_ENV = "STOCKTURN_CONFIG"
DEFAULT_CONFIG_FILE = "stockturn.toml"


class Settings(BaseSettings):
    """stockturn settings. Rates are fractions (0.12 = 12 %), durations are days, money is base currency."""

    model_config = SettingsConfigDict(env_prefix="STOCKTURN_", extra="forbid", validate_default=True)

    # --- warehouse -------------------------------------------------------------------------------
    db: Path = Field(Path("stockturn.duckdb"), description="Path of the DuckDB warehouse file.")
    base_currency: str = Field(
        "USD", description="ISO 4217 currency all reports convert to, at each day's rate in fx_rate."
    )
    # --- import ----------------------------------------------------------------------------------
    date_order: Literal["dmy", "mdy"] = Field(
        "dmy",
        description="How to read ambiguous dates such as 03/04/2024 in imported files: day-month or month-day.",
    )
    max_problems_per_file: int = Field(
        20, ge=1, le=10_000, description="Import stops listing problems in one file after this many."
    )
    # --- service and planning --------------------------------------------------------------------
    service_level_a: float = Field(0.98, gt=0.5, lt=1, description="Target cycle service level for class A.")
    service_level_b: float = Field(0.95, gt=0.5, lt=1, description="Target cycle service level for class B.")
    service_level_c: float = Field(0.90, gt=0.5, lt=1, description="Target cycle service level for class C.")
    review_period_days: int = Field(7, ge=1, le=90, description="Days between two ordering decisions.")
    # --- holding cost ----------------------------------------------------------------------------
    capital_cost_rate: float = Field(
        0.15, ge=0, le=1, description="Annual cost of capital tied in stock, on landed value (incl. in transit)."
    )
    obsolescence_rate: float = Field(
        0.06, ge=0, le=1, description="Annual allowance for obsolescence and disposal, on landed value."
    )
    insurance_rate: float = Field(0.01, ge=0, le=1, description="Annual insurance cost, on landed value.")

    @field_validator("base_currency")
    @classmethod
    def _iso_currency(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Z]{3}", value):
            raise ValueError(f"expected a 3-letter ISO 4217 code such as USD, found {value!r}")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get(CONFIG_ENV, DEFAULT_CONFIG_FILE)
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_file))


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings; a bad value raises SettingsError naming the setting and its source."""
    config = os.environ.get(CONFIG_ENV)
    if config and not Path(config).is_file():
        raise SettingsError(f"{CONFIG_ENV}={config}: no such file", hint="point it at a stockturn.toml")
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"])
        raise SettingsError(
            f"setting {name}: {first['msg']} (found {first.get('input')!r})",
            hint=f"set a valid value in {config or DEFAULT_CONFIG_FILE}, env STOCKTURN_{name.upper()} or a flag",
        ) from None
    except Exception as exc:  # a malformed TOML file: tomllib raises its own error type
        raise SettingsError(
            f"{config or DEFAULT_CONFIG_FILE}: cannot read settings: {exc}", hint="fix the TOML syntax"
        ) from None


def describe_settings(settings: Settings) -> list[dict[str, str]]:
    """The settings table as rows: name, type, default, current value, help."""
    rows = []
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        type_name = getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
        rows.append(
            {
                "name": name,
                "type": type_name,
                "default": str(field.default),
                "value": str(getattr(settings, name)),
                "help": field.description or "",
            }
        )
    return rows
