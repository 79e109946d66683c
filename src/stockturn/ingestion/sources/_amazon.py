"""What Amazon reports share: marketplace domains -> stockturn channel ids, and month parsing."""

from __future__ import annotations

import polars as pl

# sales-channel value of the All Orders report -> channel id (AMZ-<country>, as in the demo warehouse)
MARKETPLACES = {
    "amazon.com": "AMZ-US", "amazon.ca": "AMZ-CA", "amazon.com.mx": "AMZ-MX", "amazon.com.br": "AMZ-BR",
    "amazon.co.uk": "AMZ-UK", "amazon.de": "AMZ-DE", "amazon.fr": "AMZ-FR", "amazon.it": "AMZ-IT",
    "amazon.es": "AMZ-ES", "amazon.nl": "AMZ-NL", "amazon.se": "AMZ-SE", "amazon.pl": "AMZ-PL",
    "amazon.com.be": "AMZ-BE", "amazon.com.tr": "AMZ-TR", "amazon.co.jp": "AMZ-JP", "amazon.com.au": "AMZ-AU",
    "amazon.sg": "AMZ-SG", "amazon.ae": "AMZ-AE", "amazon.sa": "AMZ-SA", "amazon.in": "AMZ-IN",
    "amazon.eg": "AMZ-EG",
}
# Amazon writes GB as the country of amazon.co.uk; the demo names that FBA warehouse FBA-UK.
COUNTRY_TO_SUFFIX = {"GB": "UK"}


def fba_warehouse(country: pl.Expr) -> pl.Expr:
    """FBA-<country> from a country code column (GB -> FBA-UK)."""
    code = country.str.to_uppercase().str.strip_chars()
    return pl.lit("FBA-") + code.replace(COUNTRY_TO_SUFFIX)


def month_start(text: pl.Expr) -> pl.Expr:
    """First day of a month written 2024-03, 2024-03-01, 03/2024 or Mar-2024."""
    t = text.cast(pl.Utf8).str.strip_chars()
    return pl.coalesce(
        t.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        (t + "-01").str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        ("01/" + t).str.strptime(pl.Date, "%d/%m/%Y", strict=False),
        ("01-" + t).str.strptime(pl.Date, "%d-%b-%Y", strict=False),
        ("01 " + t).str.strptime(pl.Date, "%d %B %Y", strict=False),
    ).dt.month_start()
