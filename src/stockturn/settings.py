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

from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from stockturn.errors import SettingsError

CONFIG_ENV = "STOCKTURN_CONFIG"
DEFAULT_CONFIG_FILE = "stockturn.toml"


class SurchargeTier(BaseModel):
    """An aged-inventory surcharge tier: units at least `min_age_days` old pay, per month, the greater of
    volume x `rate_m3_month` and `rate_unit_month` (base currency)."""

    min_age_days: int = Field(ge=1)
    rate_m3_month: float = Field(0.0, ge=0)
    rate_unit_month: float = Field(0.0, ge=0)


class StorageRule(BaseModel):
    """Monthly storage cost of one warehouse (or type): per m3 of stock, peak months, a minimum per unit."""

    rate_m3_month: float = Field(0.0, ge=0)
    peak_rate_m3_month: float | None = Field(None, ge=0)
    peak_months: list[int] = Field(default_factory=lambda: [10, 11, 12])
    min_unit_month: float = Field(0.0, ge=0)
    surcharge_tiers: list[SurchargeTier] = Field(default_factory=list)


_CUFT_PER_M3 = 35.3147


def default_storage_rules() -> dict[str, StorageRule]:
    """Amazon FBA US standard-size fees (2024: $0.78 / $2.40 per ft3 per month off-peak / Oct-Dec, aged
    surcharge from 181 days), a typical 3PL and an own warehouse, converted to m3."""
    fba_tiers = [(181, 0.50), (211, 1.00), (241, 1.50), (271, 5.45), (301, 5.70), (331, 5.90), (366, 6.90)]
    return {
        "fba": StorageRule(
            rate_m3_month=round(0.78 * _CUFT_PER_M3, 2),
            peak_rate_m3_month=round(2.40 * _CUFT_PER_M3, 2),
            surcharge_tiers=[
                SurchargeTier(min_age_days=age, rate_m3_month=round(rate * _CUFT_PER_M3, 2),
                              rate_unit_month=0.15 if age >= 366 else 0.0)
                for age, rate in fba_tiers
            ],
        ),
        "3pl": StorageRule(rate_m3_month=18.0, min_unit_month=0.05),
        "own": StorageRule(rate_m3_month=4.0),
        "dc": StorageRule(rate_m3_month=8.0),
        "store": StorageRule(rate_m3_month=0.0),
    }


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
    sku_match_threshold: float = Field(
        85.0, ge=0, le=100,
        description="Fuzzy SKU suggestions below this score (0-100) are not shown (see docs/master-data.md).",
    )
    # --- service and planning --------------------------------------------------------------------
    service_level_a: float = Field(0.98, gt=0.5, lt=1, description="Target cycle service level for class A.")
    service_level_b: float = Field(0.95, gt=0.5, lt=1, description="Target cycle service level for class B.")
    service_level_c: float = Field(0.90, gt=0.5, lt=1, description="Target cycle service level for class C.")
    review_period_days: int = Field(7, ge=1, le=90, description="Days between two ordering decisions.")
    plan_horizon_days: int = Field(
        120, ge=28, le=730, description="Planning: days ahead that projected stockouts and cover look (issue 6)."
    )
    transfer_keep_days: float = Field(
        60, gt=0, description="Transfers: a warehouse keeps this many days of cover before it gives stock away."
    )
    transfer_need_days: float = Field(
        30, gt=0, description="Transfers: a warehouse below this many days of cover (incl. inbound) asks for stock."
    )
    clearance_sell_within_days: float = Field(
        180, gt=0, description="Clearance: units that will not sell within this many days are candidates."
    )
    clearance_elasticity: float = Field(
        2.5, gt=0, description="Clearance: price elasticity of demand used to size the markdown."
    )
    # --- holding cost ----------------------------------------------------------------------------
    capital_cost_rate: float = Field(
        0.15, ge=0, le=1, description="Annual cost of capital tied in stock, on landed value (incl. in transit)."
    )
    obsolescence_rate: float = Field(
        0.06, ge=0, le=1, description="Annual allowance for obsolescence and disposal, on landed value."
    )
    insurance_rate: float = Field(0.01, ge=0, le=1, description="Annual insurance cost, on landed value.")
    # --- analytics (issue 4; formulas in docs/metrics.md) ----------------------------------------
    fx_max_age_days: int = Field(
        4, ge=0, le=31, description="A day without an exchange rate uses the latest earlier rate at most this old."
    )
    default_period: str = Field(
        "90d", description="Reporting period when --period is not given (90d, month, quarter, 2011-Q1, START:END)."
    )
    cover_lookback_days: int = Field(
        28, ge=1, le=365, description="Days of recent sales behind days of cover when no forecast run exists."
    )
    cover_forecast_horizon_days: int = Field(
        28, ge=1, le=365, description="Days of the latest forecast averaged into expected daily demand for cover."
    )
    trend_threshold: float = Field(
        0.2, gt=0, le=10, description="A metric moving at least this share against the previous period is flagged."
    )
    abc_basis: Literal["revenue", "margin"] = Field("revenue", description="ABC classes rank by revenue or margin.")
    abc_a_share: float = Field(0.8, gt=0, lt=1, description="Class A: top SKUs making this cumulative share.")
    abc_b_share: float = Field(0.95, gt=0, lt=1, description="Class B: up to this cumulative share; C the rest.")
    abc_window_days: int = Field(365, ge=28, le=3650, description="Days of history behind ABC and XYZ classes.")
    xyz_x_max_cv: float = Field(0.5, gt=0, description="Class X: weekly demand coefficient of variation up to this.")
    xyz_y_max_cv: float = Field(1.0, gt=0, description="Class Y: CV up to this; Z above.")
    slow_stock_cover_days: int = Field(
        180, ge=1, description="Slow stock: selling, but days of cover above this."
    )
    dead_stock_days: int = Field(90, ge=1, description="Dead stock: units in stock and no sale for this many days.")
    aging_buckets_days: list[int] = Field(
        [30, 60, 90, 180, 270, 365],
        description="Upper ends of the FIFO age buckets in days (0-30, 31-60, ..., 365+).",
    )
    storage_rules: dict[str, StorageRule] = Field(
        default_factory=default_storage_rules,
        description="Storage cost rules keyed by warehouse id or warehouse type (fba, 3pl, own, store, dc); "
        "a warehouse id wins over its type. Rates in base currency; see docs/metrics.md.",
    )
    referral_fee_rate: float = Field(
        0.15, ge=0, le=1, description="Unit economics: marketplace referral fee, share of the price."
    )
    fulfilment_fee_rate: float = Field(
        0.08, ge=0, le=1, description="Unit economics: pick, pack and ship fee, share of the price."
    )
    ad_spend_rate: float = Field(0.10, ge=0, le=1, description="Unit economics: advertising (TACoS), share of price.")
    return_cost_rate: float = Field(
        0.03, ge=0, le=1, description="Unit economics: cost of returns (refunds not resold, handling), share of price."
    )
    unit_volume_m3: float = Field(
        0.01, gt=0, description="Unit economics: volume of one unit in m3 when a SKU has no dimensions."
    )
    # --- alerts (issue 4) ------------------------------------------------------------------------
    overstock_cover_days_a: int = Field(90, ge=1, description="Overstock alert: class A cover above this many days.")
    overstock_cover_days_b: int = Field(120, ge=1, description="Overstock alert: class B cover above this many days.")
    overstock_cover_days_c: int = Field(180, ge=1, description="Overstock alert: class C cover above this many days.")
    aging_alert_days: int = Field(
        14, ge=1, description="Alert when stock enters the next aged-surcharge tier within this many days."
    )
    turnover_slowdown_threshold: float = Field(
        0.3, gt=0, lt=1, description="Alert when turnover falls by at least this share against the previous window."
    )
    turnover_alert_window_days: int = Field(
        90, ge=7, description="Window compared by the turnover-slowing alert (against the window before)."
    )
    receivable_grace_days: int = Field(
        0, ge=0, description="Receivables alert once unpaid this many days past their due date."
    )
    # --- forecasting (issue 5; see docs/forecasting.md) ------------------------------------------
    forecast_horizon_days: int = Field(
        28, ge=1, le=366, description="Days `stockturn forecast` forecasts when --horizon is not given."
    )
    forecast_quantiles: list[float] = Field(
        [],
        description="Quantile levels stored in addition to the nine M5 ones (0.005 ... 0.995), e.g. [0.9, 0.98].",
    )

    @field_validator("forecast_quantiles")
    @classmethod
    def _probabilities(cls, value: list[float]) -> list[float]:
        bad = [q for q in value if not 0 < q < 1]
        if bad:
            raise ValueError(f"quantile levels must be between 0 and 1 (exclusive), found {bad[0]}")
        return value

    # --- web dashboard (issue 7) ------------------------------------------------------------------
    web_session_hours: int = Field(
        12, ge=1, le=24 * 30, description="Web dashboard: a login stays valid this many hours."
    )
    web_upload_max_mb: int = Field(
        50, ge=1, le=2048, description="Web dashboard: largest file accepted by the import upload, in MB."
    )

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
