"""Tests of ax.service: parsing, best points and the managed loop."""
