"""Helpers of the front doors: parsing user input, best points, pending observations."""
