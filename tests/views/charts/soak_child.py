"""Repaint soak, run in a subprocess by test_soak.py: thousands of setData + paint cycles.

PySide6 6.12.0 with pyqtgraph 0.14.0 aborts ("Fatal Python error: none_dealloc") after a few
hundred repaints of a plot. This child drives both trace kinds the charts use (the live
PlotCurveItem and the history PlotDataItem), the Bangkok time axis and the limit bands, and
paints the widget each cycle. Exit code 0 means it survived.

``python -m tests.views.charts.soak_child [CYCLES]``
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str]) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from views.charts.telemetry_plot import TelemetryPlot

    cycles = int(argv[0]) if argv else 3000
    app = QApplication.instance() or QApplication([])
    plot = TelemetryPlot("Soak", "Hz", span_s=10.0, frame_interval_ms=0)
    plot.add_series("f", "f")
    plot.add_band(49.8, 50.2, "high")
    plot.resize(500, 260)
    plot.show()
    rng = np.random.default_rng(0)
    t0 = 1_750_000_000.0
    for i in range(cycles):
        t = t0 + i * 0.05 + np.arange(50) * 0.001
        plot.add_samples("f", t, 50.0 + 0.1 * rng.standard_normal(50))
        if i % 10 == 0:
            plot.show_history("f", t0 - 10 + np.arange(200) * 0.05, 50 + rng.standard_normal(200))
        plot.refresh()
        if i % 2:
            plot.grab()
        else:
            plot.repaint()
        app.processEvents()
    print(f"soak ok: {cycles} cycles", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
