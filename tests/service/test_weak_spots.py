"""The front-door reproductions of issue 11 ("weaker spots"), each now a clear error."""

from __future__ import annotations

import pytest

from ax.exceptions import NoDataError, UserInputError
from ax.service.ax_client import AxClient
from ax.service.managed_loop import optimize


@pytest.mark.parametrize(
    "bounds", [[-1.7e308, 1.7e308], [-1e308, 1e308], [0, 10**400], [-(10**309), 0]]
)
def test_bounds_whose_width_overflows_are_refused_naming_the_parameter(bounds: list) -> None:
    client = AxClient(verbose_logging=False)
    with pytest.raises(UserInputError, match=r"RangeParameter 'w'.*(width|fit in a float)"):
        client.create_experiment(parameters=[{"name": "w", "type": "range", "bounds": bounds}])


def test_optimize_names_an_unknown_metric_and_the_expected_one() -> None:
    with pytest.raises(NoDataError, match=r"returned metric\(s\) \['loss'\], not the objective "):
        optimize(
            parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}],
            evaluation_function=lambda p: {"loss": (p["x"], 0.0)},
            objective_name="objective",
            total_trials=2,
            random_seed=0,
        )


def test_complete_trial_cuts_a_very_long_unknown_metric_name() -> None:
    client = AxClient(verbose_logging=False, random_seed=0)
    client.create_experiment(
        parameters=[{"name": "x", "type": "range", "bounds": [0.0, 1.0]}], objective_name="obj"
    )
    _, index = client.get_next_trial()
    name = "m" * 100_000
    with pytest.raises(UserInputError) as info:
        client.complete_trial(index, raw_data={"obj": (1.0, 0.0), name: (1.0, 0.0)})
    assert len(str(info.value)) < 600
    assert "(100002 characters)" in str(info.value)
    with pytest.raises(UserInputError, match=r"unknown metric 'mmmm.*\(100002 characters\)"):
        client.get_feature_importances(name)
