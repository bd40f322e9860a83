"""GridChartsPanel: plain grid samples fill the charts; the selector switches substations."""

import numpy as np
import pytest

from views.charts.grid_charts import (
    FREQUENCY_ID,
    POWER_PREFIX,
    VOLTAGE_PREFIX,
    GridChartsPanel,
    per_unit,
)

T0_MS = 1_750_000_000_000


def _sample(i: int) -> dict:
    return {
        "timestamp_ms": T0_MS + 1000 * i,  # 1 Hz: 300 samples fill a 5-min window
        "frequency_hz": 50.0 + 0.01 * np.sin(i / 20),
        "substations": [
            {"id": "BKP", "name": "Bang Kapi", "region": "MEA", "voltage_kv": 116.0,
             "nominal_kv": 115.0, "power_flow_mw": 300.0 + i},
            {"id": "SRT", "name": "Surat Thani", "region": "PEA", "voltage_kv": 220.0,
             "nominal_kv": 230.0, "power_flow_mw": -450.0},
        ],
    }


@pytest.fixture
def panel(qtbot):
    widget = GridChartsPanel()
    widget.resize(1400, 900)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_300_samples_fill_the_frequency_curve(panel, qtbot):
    samples = [_sample(i) for i in range(300)]
    for sample in samples:
        panel.on_grid_sample(sample)
    expected_t = np.array([s["timestamp_ms"] for s in samples]) / 1000.0
    expected_f = np.array([s["frequency_hz"] for s in samples])
    qtbot.waitUntil(lambda: len(panel.frequency_plot.curve_data(FREQUENCY_ID)[0]) == 300)
    x, y = panel.frequency_plot.curve_data(FREQUENCY_ID)
    np.testing.assert_array_equal(x, expected_t)
    np.testing.assert_array_equal(y, expected_f)


def test_switching_substation_changes_the_voltage_curve(panel, qtbot):
    for i in range(300):
        panel.on_grid_sample(_sample(i))
    assert panel.selected_substation() == "BKP"
    assert list(panel.substations()) == ["BKP", "SRT"]
    qtbot.waitUntil(lambda: len(panel.voltage_plot.curve_data(VOLTAGE_PREFIX + "BKP")[0]) == 300)
    _, y = panel.voltage_plot.curve_data(VOLTAGE_PREFIX + "BKP")
    assert y == pytest.approx(np.full(300, 116.0 / 115.0))
    panel.select_substation("SRT")
    qtbot.waitUntil(lambda: len(panel.voltage_plot.curve_data(VOLTAGE_PREFIX + "SRT")[0]) == 300)
    _, y = panel.voltage_plot.curve_data(VOLTAGE_PREFIX + "SRT")
    assert y == pytest.approx(np.full(300, 220.0 / 230.0))
    assert not panel.voltage_plot._series[VOLTAGE_PREFIX + "BKP"].curve.isVisible()
    _, mw = panel.power_plot.curve_data(POWER_PREFIX + "SRT")
    assert mw == pytest.approx(np.full(300, -450.0))


def test_frequency_bands_and_linked_time_axes(panel):
    assert panel.frequency_plot.bands() == [(49.8, 50.2, "high"), (49.5, 50.5, "critical")]
    for sample in (_sample(i) for i in range(50)):
        panel.on_grid_sample(sample)
    panel.refresh()
    ranges = {tuple(p.plot_item.getViewBox().viewRange()[0]) for p in panel.plots}
    assert len(ranges) == 1


def test_pause_button_and_span_buttons(panel, qtbot):
    with qtbot.waitSignal(panel.live_changed):
        panel._live_button.click()
    assert not panel.is_live and all(not p.is_live for p in panel.plots)
    panel._span_group.button(15).click()
    assert all(p.span_s == 900.0 for p in panel.plots)
    panel._live_button.click()
    assert panel.is_live


def test_history_requests_are_forwarded_with_series_ids(panel, qtbot):
    for sample in (_sample(i) for i in range(50)):
        panel.on_grid_sample(sample)
    with qtbot.waitSignal(panel.history_requested, timeout=2000,
                          check_params_cb=lambda sid, a, b: sid == FREQUENCY_ID) as signal:
        panel.refresh()
    assert signal.args[2] == pytest.approx(T0_MS / 1000.0)
    panel.show_history(FREQUENCY_ID, np.array([1.0, 2.0]), np.array([50.0, 50.0]))
    with pytest.raises(KeyError):
        panel.show_history("nonsense", np.array([1.0]), np.array([1.0]))


def test_events_go_on_every_chart_labelled_once(panel):
    panel.mark_event(T0_MS / 1000.0, "Line trip", "critical")
    assert all(p.events() == [(T0_MS / 1000.0, "Line trip", "critical")] for p in panel.plots)


def test_per_unit():
    assert per_unit(121.0, 115.0) == pytest.approx(1.0522, abs=1e-4)
    assert np.isnan(per_unit(121.0, 0.0))
