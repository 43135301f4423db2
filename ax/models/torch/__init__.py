"""Model-based numeric generators on BoTorch/GPyTorch (imported only when used).

Modules:

- :mod:`~ax.models.torch.options`: typed settings (:class:`BotorchOptions`), no torch.
- :mod:`~ax.models.torch.defaults`: training-data checks, GP construction, warm-started
  fitting, hyperparameters as plain lists, and the thread / random-state context.
- :mod:`~ax.models.torch.fast`: the lean marginal likelihood and posterior of the
  standard GP (checked against GPyTorch at each use).
- :mod:`~ax.models.torch.fast_acqf`: the lean log-EI / log-NEI acquisition functions
  (closed-form values and gradients in numpy).
- :mod:`~ax.models.torch.acquisition`: objectives, constraints, acquisition functions and
  their optimisation (sequential greedy batches, pending points, fixed features, linear
  constraints, rounding).
- :mod:`~ax.models.torch.botorch_model`: :class:`BotorchModel`, the GP + (log) expected
  improvement generator.
- :mod:`~ax.models.torch.kg` and :mod:`~ax.models.torch.mes`: knowledge gradient and
  max-value entropy search variants.

Nothing is re-exported here: importing this package does not import torch.
"""
