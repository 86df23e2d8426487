"""Erlang C for the simulator: the maths lives in kglijn.core.erlang (ADR 0017 decision 4), one
implementation for the simulator and the staffing pages; re-exported here for old importers."""

from __future__ import annotations

from kglijn.core.erlang import (
    DEFAULT_TARGET_LEVEL,
    DEFAULT_TARGET_SECONDS,
    erlang_c_agents,
    erlang_c_asa,
    erlang_c_service_level,
    erlang_c_wait_probability,
)

__all__ = [
    "DEFAULT_TARGET_LEVEL",
    "DEFAULT_TARGET_SECONDS",
    "erlang_c_agents",
    "erlang_c_asa",
    "erlang_c_service_level",
    "erlang_c_wait_probability",
]
