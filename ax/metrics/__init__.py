"""Bundled synthetic metrics (Branin, Hartmann6, L2Norm, noisy functions).

Built by a later issue.
"""
