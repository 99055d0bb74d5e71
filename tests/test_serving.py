"""Serving for many users."""

from __future__ import annotations

import pytest

from dashboard.config import settings_from_env


def test_a_redis_cache_needs_its_address() -> None:
    with pytest.raises(ValueError, match="DASHBOARD_REDIS_URL"):
        settings_from_env({"DASHBOARD_CACHE": "redis"})
    settings = settings_from_env({"DASHBOARD_CACHE": "redis",
                                  "DASHBOARD_REDIS_URL": "redis://10.0.0.7:6379/2"})
    assert (settings.cache_type, settings.redis_url) == ("redis", "redis://10.0.0.7:6379/2")
