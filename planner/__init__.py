"""Capacity planner for GPU compute sites with liquid cooling and residual mining.

Python API: ``from planner import plan; result = plan("sites/tiny.toml", days=4)`` (see docs/api.md).
``planner.plan`` is also the module of one planning run; it is callable and plans through
:func:`planner.api.plan`.
"""

__version__ = "0.1.0"
