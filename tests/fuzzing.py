"""Shared settings of the hypothesis fuzzing suites: deterministic and bounded."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings


def fuzz_settings(examples: int) -> Any:
    """``max_examples=examples``, no deadline, derandomized, no example database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )


__all__ = ["fuzz_settings"]
