"""Imported FX rates feed the shared conversion helper (stockturn.warehouse.fx): the day's rate, or an error
naming the currency and days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from import_helpers import FIXTURES, run_import
from numpy.testing import assert_allclose

from stockturn.warehouse import open_warehouse
from stockturn.warehouse.fx import FxRateMissing, convert_frame


def test_imported_rates_convert_at_the_days_rate(db: Path) -> None:
    run_import(db, FIXTURES / "generic_fx_rates.csv")
    amounts = pl.DataFrame({"amount": [100.0, 100.0, 10.0, 5.0], "currency": ["EUR", "EUR", "GBP", "USD"],
                            "day": [date(2024, 3, 1), date(2024, 3, 2), date(2024, 3, 1), date(2024, 3, 1)]})
    with open_warehouse(db, read_only=True) as wh:
        usd = convert_frame(wh, amounts, amount_columns=["amount"], base="USD", max_age_days=0)
        assert_allclose(usd["amount"].to_list(), [108.38, 108.41, 12.652, 5.0])
        eur = convert_frame(wh, amounts.head(1), amount_columns=["amount"], base="EUR", max_age_days=0)
        assert_allclose(eur["amount"][0], 100.0)
        with pytest.raises(FxRateMissing, match="GBP on 1 day"):
            convert_frame(wh, pl.DataFrame({"amount": [1.0], "currency": ["GBP"], "day": [date(2024, 3, 9)]}),
                          amount_columns=["amount"], base="USD", max_age_days=0)
