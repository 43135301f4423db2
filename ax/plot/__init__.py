"""Figures and the HTML report (plotly, imported only where used).

Built by a later issue.
"""
