"""The fuzz harness's safety targets, a short round each in every test run: any SVG is cleaned
or refused (never shipped with a script or an external reference), and any manifest, however
typed, loads without raising and keeps no output outside its folder. ``fuzz/run.py --only svg``
(or ``manifest``) runs them for as long as you like."""

from __future__ import annotations

import pytest
from fuzz_targets import CHECKS
from hypothesis import HealthCheck, given, settings


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_every_drawn_input_passes_its_check(tmp_path, name):
    strategy, check = CHECKS[name]

    @settings(max_examples=80, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def holds(drawn) -> None:
        check(tmp_path, drawn)

    holds()
