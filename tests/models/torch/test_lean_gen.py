"""The lean multi-start L-BFGS-B: the same candidates as BoTorch's, or BoTorch's itself."""

from __future__ import annotations

import warnings
from typing import Any, Tuple

import numpy as np
import pytest
import torch
from botorch.acquisition.analytic import PosteriorMean
from botorch.generation.gen import gen_candidates_scipy
from botorch.models import SingleTaskGP

import ax.models.torch.acquisition as acquisition_module
from ax.models.torch.botorch_model import BotorchModel
from ax.models.torch.fast import FastPosterior, fast_fit
from ax.models.torch.fast_acqf import FastLogEI, FastLogNEI
from ax.models.torch.lean_gen import lean_gen_candidates
from ax.models.torch.options import BotorchOptions

BOUNDS = torch.tensor([[0.0] * 3, [1.0] * 3], dtype=torch.float64)


def _gp(n: int = 20) -> Tuple[SingleTaskGP, torch.Tensor]:
    X = torch.tensor(np.random.default_rng(3).random((n, 3)))
    y = -((X - torch.tensor([0.3, 0.7, 0.5], dtype=torch.float64)) ** 2).sum(-1)
    Y = ((y - y.mean()) / y.std()).unsqueeze(-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = SingleTaskGP(X, Y, outcome_transform=None)
    assert fast_fit(model, maxiter=200)
    return model, X


def _starts(b: int = 6) -> torch.Tensor:
    return torch.tensor(np.random.default_rng(5).random((b, 1, 3)))


@pytest.mark.parametrize("kind", ["log-ei", "log-nei"])
def test_lean_path_finds_the_same_candidates_as_botorchs(kind: str) -> None:
    model, X = _gp()
    fast = FastPosterior.from_model(model)
    assert fast is not None
    if kind == "log-ei":
        acqf: Any = FastLogEI(model, fast, 1.0, float(model.train_targets.max()), X)
    else:
        acqf = FastLogNEI(model, fast, 1.0, X, None, mc_samples=64, seed=0)
    options = {"maxiter": 100}
    ours, our_values = lean_gen_candidates(_starts(), acqf, BOUNDS[0], BOUNDS[1], options=options)
    theirs, their_values = gen_candidates_scipy(
        _starts(), acqf, lower_bounds=BOUNDS[0], upper_bounds=BOUNDS[1], options=options
    )
    assert ours.shape == theirs.shape == (6, 1, 3)
    torch.testing.assert_close(ours, theirs, atol=1e-9, rtol=0.0)
    torch.testing.assert_close(our_values, their_values, atol=1e-9, rtol=0.0)
    assert bool((ours >= 0).all() and (ours <= 1).all())
    # It optimised: every restart is at least as good as where it started.
    assert bool((our_values >= acqf(_starts()) - 1e-12).all())


def test_other_acquisitions_fixed_features_and_constraints_go_to_botorch() -> None:
    model, X = _gp()
    fast = FastPosterior.from_model(model)
    assert fast is not None
    lean = FastLogEI(model, fast, 1.0, float(model.train_targets.max()), X)
    mean = PosteriorMean(model)
    cases = [
        (mean, {}),  # not a lean acquisition
        (lean, {"fixed_features": {0: 0.25}}),
        (
            lean,
            {
                "inequality_constraints": [
                    (torch.tensor([0, 1]), torch.tensor([-1.0, -1.0]).double(), -1.0)
                ]
            },
        ),
    ]
    for acqf, extra in cases:
        ours, _ = lean_gen_candidates(
            _starts(), acqf, BOUNDS[0], BOUNDS[1], options={"maxiter": 50}, **extra
        )
        theirs, _ = gen_candidates_scipy(
            _starts(),
            acqf,
            lower_bounds=BOUNDS[0],
            upper_bounds=BOUNDS[1],
            options={"maxiter": 50},
            **extra,
        )
        torch.testing.assert_close(ours, theirs)
    fixed, _ = lean_gen_candidates(
        _starts(), lean, BOUNDS[0], BOUNDS[1], options={"maxiter": 50}, fixed_features={0: 0.25}
    )
    assert bool((fixed[..., 0] == 0.25).all())


def test_botorch_model_suggestions_are_unchanged_by_the_lean_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((15, 3))
    y = -((X - 0.4) ** 2).sum(1)
    y = (y - y.mean()) / y.std()

    def suggest() -> np.ndarray:
        model = BotorchModel(seed=0)
        bounds = [(0.0, 1.0)] * 3
        model.fit([X], [y], [np.full(15, np.nan)], bounds, ["a", "b", "c"], ["f"])
        points, _, _, _ = model.gen(2, bounds, np.array([1.0]))
        return points

    lean = suggest()
    monkeypatch.setattr(acquisition_module, "lean_gen_candidates", gen_candidates_scipy)
    np.testing.assert_allclose(lean, suggest(), atol=1e-9, rtol=0)


def test_global_restarts_are_chosen_without_the_points_around_the_best(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model, X = _gp()
    fast = FastPosterior.from_model(model)
    assert fast is not None
    calls: list[tuple[int, bool]] = []
    original = acquisition_module.gen_batch_initial_conditions

    def spy(**kwargs: Any) -> torch.Tensor:
        calls.append((kwargs["num_restarts"], kwargs["options"]["sample_around_best"]))
        return original(**kwargs)

    monkeypatch.setattr(acquisition_module, "gen_batch_initial_conditions", spy)
    acqf = FastLogNEI(model, fast, 1.0, X, None, mc_samples=64, seed=0)
    # 0: BoTorch chooses every restart itself, among all the raw samples.
    cases = ((2, [(2, False), (3, True)]), (0, []), (9, [(5, False)]))
    for global_restarts, expected in cases:
        calls.clear()
        options = BotorchOptions(num_restarts=5, raw_samples=64, global_restarts=global_restarts)
        points, _ = acquisition_module.optimize_sequential(
            lambda pending: acqf, 1, BOUNDS, options, seed=0
        )
        assert calls == expected
        assert points.shape == (1, 3) and bool(((points >= 0) & (points <= 1)).all())
    with pytest.raises(ValueError, match="global_restarts"):
        BotorchOptions(global_restarts=-1)
