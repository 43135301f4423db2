from __future__ import annotations

import pytest

from ax.core.arm import Arm
from ax.core.experiment import Experiment
from ax.core.generator_run import GeneratorRun
from ax.core.types import TrialStatus
from ax.exceptions import ImmutabilityError, UserInputError
from tests.core.conftest import make_config, make_search_space, params


def test_add_arms_and_weights(experiment: Experiment) -> None:
    batch = experiment.new_batch_trial()
    batch.add_arms_and_weights([Arm(params(0.1)), Arm(params(0.2))], [2.0, 1.0])
    batch.add_arm(Arm(params(0.3)), weight=3.0)
    assert [a.name for a in batch.arms] == ["0_0", "0_1", "0_2"]
    assert batch.weights == [2.0, 1.0, 3.0]
    assert [s.generator_run.index for s in batch.generator_run_structs] == [0, 1]
    assert set(batch.arms_by_name) == {"0_0", "0_1", "0_2"}


def test_generator_run_is_cloned_and_multiplier_applies(experiment: Experiment) -> None:
    gr = GeneratorRun([Arm(params(0.1)), Arm(params(0.2))], weights=[1.0, 2.0])
    batch = experiment.new_batch_trial(generator_run=gr)
    assert gr.index is None and gr.arms[0].has_name is False
    batch.add_generator_run(GeneratorRun([Arm(params(0.1))]), multiplier=2.0)
    weights = {a.name: w for a, w in batch.arm_weights.items()}
    assert weights == {"0_0": 3.0, "0_1": 2.0}


def test_normalized_arm_weights(experiment: Experiment) -> None:
    batch = experiment.new_batch_trial()
    batch.add_arms_and_weights(
        [Arm(params(0.1)), Arm(params(0.2)), Arm(params(0.3))], [1.0, 1.0, 1.0]
    )
    norm = list(batch.normalized_arm_weights().values())
    assert norm == pytest.approx([1 / 3] * 3)
    assert list(batch.normalized_arm_weights(total=6).values()) == pytest.approx([2, 2, 2])
    trunc = list(batch.normalized_arm_weights(trunc_digits=2).values())
    assert trunc == [0.34, 0.33, 0.33]
    assert sum(trunc) == pytest.approx(1.0)
    assert batch.weights == [1.0, 1.0, 1.0]  # unchanged


def test_invalid_arm_leaves_batch_and_experiment_unchanged(experiment: Experiment) -> None:
    batch = experiment.new_batch_trial()
    with pytest.raises(UserInputError, match="x"):
        batch.add_arms_and_weights([Arm(params(0.1)), Arm({**params(), "x2": 7.0})])
    assert batch.arms == [] and experiment.arms_by_name == {}
    with pytest.raises(UserInputError, match="multiplier must be a finite number > 0, got 0"):
        batch.add_generator_run(GeneratorRun([Arm(params(0.1))]), multiplier=0)


def test_cannot_modify_after_run(experiment: Experiment) -> None:
    batch = experiment.new_batch_trial().add_arm(Arm(params(0.1)))
    batch.mark_running(no_runner_required=True)
    with pytest.raises(ImmutabilityError, match="cannot be changed once the trial has run"):
        batch.add_arm(Arm(params(0.2)))


def test_status_quo_recorded_and_weight_override() -> None:
    sq = Arm(params(0.5))
    exp = Experiment(
        make_search_space(), name="e", optimization_config=make_config(), status_quo=sq
    )
    assert sq.name == "status_quo"
    batch = exp.new_batch_trial().add_arm(Arm(params(0.1)), weight=4.0)
    assert batch.status_quo is sq
    assert sq not in batch.arms  # only appears with an override
    batch.set_status_quo_with_weight(sq, 2.0)
    assert batch.arm_weights[sq] == 2.0
    with pytest.raises(UserInputError, match="status quo weight must be a finite number > 0"):
        batch.set_status_quo_with_weight(sq, 0.0)
    batch.unset_status_quo()
    assert batch.status_quo is None and sq not in batch.arms
    with pytest.raises(UserInputError, match="set_status_quo_with_weight"):
        batch.status_quo = sq  # type: ignore[misc]


def test_optimize_for_power() -> None:
    exp = Experiment(make_search_space(), name="e", status_quo=Arm(params(0.5)))
    batch = exp.new_batch_trial(optimize_for_power=True)
    assert batch.status_quo_weight_override == 1.0
    batch.add_arms_and_weights([Arm(params(0.1)), Arm(params(0.2))], [4.0, 5.0])
    assert batch.status_quo_weight_override == pytest.approx(3.0)
    no_sq = Experiment(make_search_space(), name="e2")
    with pytest.raises(UserInputError, match="optimize_for_power=True needs a status quo"):
        no_sq.new_batch_trial(optimize_for_power=True)
    assert no_sq.num_trials == 0


def test_mark_arm_abandoned(experiment: Experiment) -> None:
    batch = experiment.new_batch_trial()
    batch.add_arms_and_weights([Arm(params(0.1)), Arm(params(0.2))])
    batch.mark_running(no_runner_required=True)
    batch.mark_arm_abandoned("0_1", reason="broken")
    assert [a.name for a in batch.abandoned_arms] == ["0_1"]
    meta = batch.abandoned_arms_metadata[0]
    assert meta.name == "0_1" and meta.reason == "broken"
    with pytest.raises(UserInputError, match="arm 'zz' is not in the batch"):
        batch.mark_arm_abandoned("zz")
    assert experiment.num_abandoned_arms == 1


def test_is_factorial(experiment: Experiment) -> None:
    batch = experiment.new_batch_trial()
    arms = [Arm(params(x, 1, c)) for x in (0.1, 0.2) for c in ("a", "b")]
    batch.add_arms_and_weights(arms)
    assert batch.is_factorial
    other = experiment.new_batch_trial().add_arms_and_weights(arms[:3])
    assert not other.is_factorial


def test_clone(experiment: Experiment) -> None:
    batch = experiment.new_batch_trial()
    batch.add_arms_and_weights([Arm(params(0.1)), Arm(params(0.2))], [1.0, 2.0])
    clone = batch.clone()
    assert clone.index == 1 and clone.status is TrialStatus.CANDIDATE
    assert [a.name for a in clone.arms] == ["0_0", "0_1"]
    assert clone.weights == [1.0, 2.0]
    assert repr(clone) == "BatchTrial(experiment_name='exp', index=1, status=TrialStatus.CANDIDATE)"


def test_reweight_status_quo_adds_to_the_weight_from_generator_runs() -> None:
    sq = Arm(params(0.5))
    exp = Experiment(make_search_space(), name="e", status_quo=sq)
    batch = exp.new_batch_trial()
    batch.add_arms_and_weights([Arm(params(0.5)), Arm(params(0.2))])  # the first is the sq
    assert batch.arm_weights[sq] == 1.0
    batch.reweight_status_quo(4)
    assert batch.arm_weights[sq] == 5.0
    assert batch.arms[0].name == "status_quo"
    with pytest.raises(UserInputError, match="must be a finite number > 0, got -1"):
        batch.reweight_status_quo(-1)
    no_sq = Experiment(make_search_space(), name="f").new_batch_trial()
    with pytest.raises(UserInputError, match="the batch has none; set experiment.status_quo"):
        no_sq.reweight_status_quo(2.0)
