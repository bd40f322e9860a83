"""Live chart benchmark: 3 TelemetryPlots x 100,000-point windows, fed while rendering.

``QT_QPA_PLATFORM=offscreen python -m tests.perf charts [--seconds S] [--rate POINTS_PER_S]``

Two runs in one process, same window, same feed:
  * ``fps`` / ``ingest_points_per_s`` / ``ui_stall_p99_ms``: TelemetryPlot's own path (ring
    buffer + incremental per-pixel min/max decimation, a few thousand points drawn per curve);
  * ``baseline_fps``: each frame ``setData`` of the whole 100,000-point window into a
    PlotDataItem with pyqtgraph's ``setDownsampling(mode='peak')`` + ``setClipToView(True)``.
Every frame is one full paint of the (1600x900) window (``QWidget.grab()``). Sample times
advance at a fixed data rate (100,000 samples per 5-minute window, i.e. 333 Hz of data time);
the producer feeds ``--rate`` points per wall-clock second in total, so data time runs faster
than wall time.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from tests.perf._qt import StallProbe, offscreen_app

SERIES = 3
WINDOW_POINTS = 100_000
SPAN_S = 300.0
DT = SPAN_S / WINDOW_POINTS
T0 = 1_750_000_000.0


class Feed:
    """Produces synthetic frequency-like samples for each plot at a wall-clock rate."""

    def __init__(self, plots, rate_per_s: float) -> None:
        self.plots = plots
        self.rate_per_series = rate_per_s / len(plots)
        rng = np.random.default_rng(7)
        self._noise = 50.0 + 0.05 * rng.standard_normal(1 << 20)
        self._next_index = 0
        self._last = time.perf_counter()
        self.appended = 0
        self.ingest_s = 0.0

    def prefill(self) -> None:
        """Fill every ring with one full window before timing starts."""
        self._push(WINDOW_POINTS)
        self.appended = 0
        self.ingest_s = 0.0
        self._last = time.perf_counter()

    def produce(self) -> None:
        """Append the samples due since the last call."""
        now = time.perf_counter()
        due = int((now - self._last) * self.rate_per_series)
        if due > 0:
            self._last += due / self.rate_per_series
            self._push(due)

    def _push(self, n: int) -> None:
        idx = self._next_index + np.arange(n)
        t = T0 + idx * DT
        v = self._noise[idx % len(self._noise)]
        started = time.perf_counter()
        for plot in self.plots:
            self.appended += plot.add_samples("s", t, v)
        self.ingest_s += time.perf_counter() - started
        self._next_index += n

    def latest(self) -> float:
        return T0 + (self._next_index - 1) * DT


def build_window(theme: str, width: int, height: int, trace_width: int = 2):
    """A window of three stacked TelemetryPlots, each with one series "s"."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from views.charts.telemetry_plot import TelemetryPlot

    window = QWidget()
    layout = QVBoxLayout(window)
    plots = []
    for i in range(SERIES):
        plot = TelemetryPlot(f"Series {i}", "Hz", theme=theme, span_s=SPAN_S,
                             frame_interval_ms=0, y_floor=(49.4, 50.6),
                             trace_width=trace_width)
        plot.add_series("s", f"s{i}", capacity=WINDOW_POINTS + 31_072)
        plot.add_band(49.8, 50.2, "high")
        plot.add_band(49.5, 50.5, "critical")
        layout.addWidget(plot)
        plots.append(plot)
    window.resize(width, height)
    # Not exposed: the only paint per frame is the explicit grab(); an exposed offscreen window
    # would also repaint from the event loop and count every frame twice.
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.show()
    return window, plots


def run(app, window, plots, feed: Feed, seconds: float, draw_frame,
        snapshot: str | None = None) -> dict:
    """Feed and paint full frames for ``seconds``; returns the figures of that run."""
    probe = StallProbe(10)
    frame_ms: list[float] = []
    points: list[int] = []
    app.processEvents()
    feed.prefill()
    probe.start()
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        frame_start = time.perf_counter()
        feed.produce()
        points.append(draw_frame(plots, feed.latest()))
        last_frame = window.grab()
        app.processEvents()
        frame_ms.append((time.perf_counter() - frame_start) * 1000.0)
    elapsed = time.perf_counter() - started
    probe.stop()
    if snapshot:
        last_frame.save(snapshot)
    return {
        "fps": len(frame_ms) / elapsed,
        "ingest_points_per_s": feed.appended / elapsed,
        "ingest_capacity_points_per_s": feed.appended / max(feed.ingest_s, 1e-9),
        "ui_stall_p99_ms": probe.p99_ms(),
        "frame_ms_p50": float(np.percentile(frame_ms, 50)),
        "frame_ms_p99": float(np.percentile(frame_ms, 99)),
        "points_per_frame": int(np.mean(points)),
    }


def draw_decimated(plots, latest: float) -> int:
    """TelemetryPlot's own frame: scroll and draw the incremental envelope."""
    for plot in plots:
        plot.refresh(latest)
    return sum(len(plot.curve_data("s")[0]) for plot in plots) // len(plots)


def baseline_drawer(plots, trace_width: int = 2):
    """Per frame: setData of the full window with pyqtgraph peak downsampling + clipToView."""
    import pyqtgraph as pg

    items = []
    for plot in plots:
        plot.set_series_visible("s", False)
        item = pg.PlotDataItem(pen=pg.mkPen("#1f2d3a", width=trace_width))
        item.setDownsampling(auto=True, method="peak")
        item.setClipToView(True)
        plot.plot_item.addItem(item)
        plot.plot_item.setYRange(49.3, 50.7, padding=0)  # fixed: no autorange cost
        items.append(item)

    def draw(plots, latest: float) -> int:
        for plot, item in zip(plots, items, strict=True):
            t, v = plot.series_samples("s")
            t, v = t[-WINDOW_POINTS:], v[-WINDOW_POINTS:]
            item.setData(t, v)
            plot.plot_item.setXRange(latest - SPAN_S, latest, padding=0)
        return len(t)

    return draw


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.perf charts")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--baseline-seconds", type=float, default=5.0)
    parser.add_argument("--rate", type=float, default=1_200_000.0,
                        help="points per second fed in total over the three series")
    parser.add_argument("--width", type=int, default=1600)
    parser.add_argument("--height", type=int, default=900)
    parser.add_argument("--trace-width", type=int, default=2,
                        help="trace pen width in pixels, both runs (the console uses 2)")
    parser.add_argument("--snapshot", help="save the last frame of each run as PREFIX-*.png")
    args = parser.parse_args(argv)
    app = offscreen_app()
    window, plots = build_window("light", args.width, args.height, args.trace_width)
    ours = run(app, window, plots, Feed(plots, args.rate), args.seconds, draw_decimated,
               args.snapshot and f"{args.snapshot}-decimated.png")
    window.close()
    window, plots = build_window("light", args.width, args.height, args.trace_width)
    base = run(app, window, plots, Feed(plots, args.rate), args.baseline_seconds,
               baseline_drawer(plots, args.trace_width),
               args.snapshot and f"{args.snapshot}-baseline.png")
    window.close()
    print(json.dumps({
        **{k: round(v, 2) if isinstance(v, float) else v for k, v in ours.items()},
        "baseline_fps": round(base["fps"], 2),
        "baseline_ingest_points_per_s": round(base["ingest_points_per_s"]),
        "baseline_ui_stall_p99_ms": round(base["ui_stall_p99_ms"], 2),
        "trace_width_px": args.trace_width,
        "window_points_per_series": WINDOW_POINTS, "series": SERIES,
        "size": f"{args.width}x{args.height}", "seconds": args.seconds,
        "targets": {"ingest_points_per_s": 1_000_000, "fps": 30, "ui_stall_p99_ms": 50},
    }))
    return 0
