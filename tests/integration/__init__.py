"""Integration tests: several layers together, or a real external program (a browser)."""
