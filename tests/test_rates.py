"""Known answers for rates per 100,000 (real populations), Wilson intervals and funnel limits."""

from __future__ import annotations

import pytest

from dashboard.rates import (
    proportion_funnel,
    rate_funnel,
    rate_per_100k,
    wilson,
    z_value,
)


def test_rates_per_100000_with_real_populations():
    # ONS mid-2020, aged 65+: Coventry 50,463; Warwick 27,275 (reference_data/geography).
    assert rate_per_100k(25, 50_463) == pytest.approx(49.5412, abs=1e-4)  # 2,500,000 / 50,463
    assert rate_per_100k(25, 27_275) == pytest.approx(91.6590, abs=1e-4)  # 2,500,000 / 27,275
    assert rate_per_100k(3, 0) is None


def test_wilson_interval_by_hand():
    # 8 of 10, z = 1.959964: centre (0.8 + 0.192073) / 1.384146 = 0.716738; half-width
    # 1.959964 / 1.384146 * sqrt(0.016 + 0.009604) = 0.226579.
    result = wilson(8, 10)
    assert result.value == pytest.approx(0.8)
    assert (result.low, result.high) == pytest.approx((0.490159, 0.943317), abs=1e-5)
    # 0 of 5: the interval starts at 0 and is not empty (the normal interval would be 0 to 0).
    zero = wilson(0, 5)
    assert zero.low == pytest.approx(0.0, abs=1e-12)
    assert zero.high == pytest.approx(0.434482, abs=1e-5)  # 2 * 0.217241
    assert wilson(0, 0).value is None


def test_z_values():
    assert z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_value(0.998) == pytest.approx(3.090232, abs=1e-6)


def test_proportion_funnel_limits_by_hand():
    # Target 80%, 100 people: standard error sqrt(0.8 * 0.2 / 100) = 0.04.
    assert proportion_funnel(0.8, 100, 0.95) == pytest.approx((0.721601, 0.878399), abs=1e-6)
    assert proportion_funnel(0.8, 100, 0.998) == pytest.approx((0.676391, 0.923609), abs=1e-6)


def test_rate_funnel_limits_from_exact_poisson_quantiles():
    # 10 per 100,000 in 20,000 people: 2 expected. Poisson(2) cumulative: 0.1353, 0.4060,
    # 0.6767, 0.8571, 0.9473, 0.9834 (k=5), 0.9955, 0.9989 (k=7), 0.9998 (k=8).
    # 95%: k from 0 (>= 0.025) to 5 (>= 0.975) -> rates 0 and 25 per 100,000.
    assert rate_funnel(10, 20_000, 0.95) == pytest.approx((0.0, 25.0))
    # 99.8%: 0 to 8 (the first >= 0.999) -> 0 and 40 per 100,000.
    assert rate_funnel(10, 20_000, 0.998) == pytest.approx((0.0, 40.0))
