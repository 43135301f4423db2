"""Transforms between the user's space and the space a model works in.

Each module holds one :class:`~ax.modelbridge.transforms.base.Transform` subclass; import
the module you need (this package re-exports nothing, so importing it costs nothing):

- :mod:`~ax.modelbridge.transforms.remove_fixed` (``RemoveFixed``),
  :mod:`~ax.modelbridge.transforms.ordered_choice_encode` (``OrderedChoiceEncode``),
  :mod:`~ax.modelbridge.transforms.one_hot` (``OneHot``),
  :mod:`~ax.modelbridge.transforms.int_to_float` (``IntToFloat``),
  :mod:`~ax.modelbridge.transforms.log` (``Log``),
  :mod:`~ax.modelbridge.transforms.unit_x` (``UnitX``): the search space, into the unit cube;
  :mod:`~ax.modelbridge.transforms.centered_unit_x` (``CenteredUnitX``): into ``[-1, 1]``.
- :mod:`~ax.modelbridge.transforms.cast` (``Cast``): values back to their parameters' types;
  :mod:`~ax.modelbridge.transforms.cap_parameter` (``CapParameter``): capped upper bounds.
- :mod:`~ax.modelbridge.transforms.task_encode` (``TaskEncode``),
  :mod:`~ax.modelbridge.transforms.trial_as_task` (``TrialAsTask``): tasks for multi-task
  models.
- :mod:`~ax.modelbridge.transforms.int_range_to_choice` (``IntRangeToChoice``),
  :mod:`~ax.modelbridge.transforms.search_space_to_choice` (``SearchSpaceToChoice``):
  the search space, into discrete choices.
- :mod:`~ax.modelbridge.transforms.ivw` (``IVW``),
  :mod:`~ax.modelbridge.transforms.derelativize` (``Derelativize``),
  :mod:`~ax.modelbridge.transforms.standardize_y` (``StandardizeY``),
  :mod:`~ax.modelbridge.transforms.winsorize` (``Winsorize``),
  :mod:`~ax.modelbridge.transforms.log_y` (``LogY``),
  :mod:`~ax.modelbridge.transforms.power_transform_y` (``PowerTransformY``),
  :mod:`~ax.modelbridge.transforms.percentile_y` (``PercentileY``),
  :mod:`~ax.modelbridge.transforms.inverse_gaussian_cdf_y` (``InverseGaussianCdfY``),
  :mod:`~ax.modelbridge.transforms.stratified_standardize_y` (``StratifiedStandardizeY``):
  the outcomes.
"""
