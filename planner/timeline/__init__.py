"""The conversion over time: a site planned period by period (``plan timeline``).

:mod:`~planner.timeline.calendar` periods and market paths; :mod:`~planner.timeline.periods` the inputs
of each period; :mod:`~planner.timeline.model` the multi-period MILP; :mod:`~planner.timeline.run`
solve, audit and the results model (:mod:`~planner.timeline.results`); :mod:`~planner.timeline.report`
the text, JSON, CSV and HTML renderers.
"""
