"""Tests of the BoTorch-based generators (ax.models.torch)."""
