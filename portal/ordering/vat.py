"""VAT: the rate a company pays, and an amount excluding VAT split into VAT and the amount including it.

The rate is the operator's setting on the company when there is one, else the rate of the company's
country (`VAT_RATES` in the configuration, a table of country -> percent). Rounding is per order: the
VAT is computed once on the order's amount excluding VAT and rounded half-up to the cent, so the order's
VAT is exactly rate x net and never the sum of rounded line VATs. Checkout stores net, rate, VAT and
gross on the order: a later change of rate leaves placed orders as they were.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask import current_app

from portal.tenancy.models import Company

CENT = Decimal("0.01")
# Percent per country; the configuration's VAT_RATES replaces this table, VAT_DEFAULT_RATE covers the rest.
DEFAULT_VAT_RATES = {"SE": "25", "NO": "25", "DK": "25", "FI": "25.5"}


def vat_rate(company: Company) -> Decimal:
    """The company's VAT in percent: the operator's override, else its country's rate."""
    if company.vat_rate is not None:
        return Decimal(company.vat_rate)
    table = current_app.config.get("VAT_RATES") or DEFAULT_VAT_RATES
    return Decimal(str(table.get(company.country, current_app.config.get("VAT_DEFAULT_RATE", "25"))))


@dataclass(frozen=True)
class Amounts:
    net: Decimal
    rate: Decimal
    vat: Decimal
    gross: Decimal


def split(net: Decimal, rate: Decimal) -> Amounts:
    """`net` (excluding VAT) with its VAT at `rate` percent, rounded half-up to the cent, and the sum."""
    net = Decimal(net).quantize(CENT, ROUND_HALF_UP)
    vat = (net * Decimal(rate) / 100).quantize(CENT, ROUND_HALF_UP)
    return Amounts(net, Decimal(rate), vat, net + vat)


def line_gross(net: Decimal, rate: Decimal) -> Decimal:
    """A line's amount including VAT, shown beside it (the order's VAT is still computed on its total)."""
    return split(net, rate).gross
