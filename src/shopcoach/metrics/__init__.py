"""Metrics (R-MET-1..3): daily and weekly series per store, segments, baselines.

``metric_series(conn, store_id, grain=…, since=…, until=…)`` returns a :class:`MetricSeries`
of :class:`MetricPoint` (see ``docs/metrics.md``); ``pin_baseline`` / ``compare_baseline``
freeze a period's metrics and compare another period with them.
"""

from shopcoach.metrics.baselines import (
    Baseline,
    Comparison,
    Delta,
    compare_baseline,
    delete_baseline,
    get_baseline,
    list_baselines,
    period_metrics,
    pin_baseline,
)
from shopcoach.metrics.model import (
    DIMENSIONS,
    METRICS,
    SEGMENTS,
    Filters,
    MetricInfo,
    MetricPoint,
    MetricSeries,
)
from shopcoach.metrics.series import default_window, metric_series

__all__ = [
    "DIMENSIONS",
    "METRICS",
    "SEGMENTS",
    "Baseline",
    "Comparison",
    "Delta",
    "Filters",
    "MetricInfo",
    "MetricPoint",
    "MetricSeries",
    "compare_baseline",
    "default_window",
    "delete_baseline",
    "get_baseline",
    "list_baselines",
    "metric_series",
    "period_metrics",
    "pin_baseline",
]
