"""Bundled runners: :class:`ax.runners.synthetic.SyntheticRunner`."""
