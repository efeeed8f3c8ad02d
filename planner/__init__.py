"""Capacity planner for GPU compute sites with liquid cooling and residual mining."""

__version__ = "0.1.0"
