"""Charts: expected series, labels, house colours, and alt text that describes the chart."""

import io

import pytest
from matplotlib.colors import to_hex
from PIL import Image

from ketamine_explainer import charts
from ketamine_explainer.style import OKABE_ITO, TREATMENT_STYLE


def _legend_texts(figure):
    return [t.get_text() for legend in figure.legends for t in legend.get_texts()]


def test_onset_chart_draws_one_curve_per_treatment_in_its_house_style(data):
    chart = charts.plot_onset_timelines(data, ("iv_single", "ssri"), at_days=7)
    ax = chart.figure.axes[0]
    curves = [line for line in ax.lines if len(line.get_xdata()) > 10]
    assert [to_hex(line.get_color()) for line in curves] == [TREATMENT_STYLE["iv_single"].color.lower(),
                                                             TREATMENT_STYLE["ssri"].color.lower()]
    labels = _legend_texts(chart.figure)
    assert labels[:2] == ["IV ketamine (one infusion)", "Standard antidepressant (SSRI)"]
    assert "illustrative curve between points" in labels and "measured (trial data)" in labels
    assert [t.get_text() for t in chart.figure.texts] == [": ≈40%", ": ≈21%"], "readings follow the names"
    assert ax.get_ylabel() == "Patients responding (%)"
    assert ax.get_xscale() == "log"


def test_onset_layers_split_the_chart_from_the_time_marker(data):
    import numpy as np

    base = charts.plot_onset_timelines(data, layer="base")
    marker = charts.plot_onset_timelines(data, at_days=7, layer="marker")
    full = charts.plot_onset_timelines(data, at_days=7)
    assert full.alt == f"{base.alt} {marker.alt}"
    assert marker.alt.startswith("Marked at 1 week:") and "Marked" not in base.alt
    assert not base.figure.texts and len(marker.figure.texts) == len(data.treatments)
    base_img = np.asarray(Image.open(io.BytesIO(base.png())).convert("RGBA"))
    marker_img = np.asarray(Image.open(io.BytesIO(marker.png())).convert("RGBA"))
    assert base_img.shape == marker_img.shape, "the overlay lies exactly over the base"
    assert base_img[..., 3].min() == 255 and (marker_img[..., 3] == 0).mean() > 0.9, "the overlay is mostly transparent"
    with pytest.raises(ValueError, match="needs at_days"):
        charts.plot_onset_timelines(data, layer="marker")


def test_measured_points_are_markers_at_their_values(data):
    chart = charts.plot_onset_timelines(data, ("iv_course",))
    ax = chart.figure.axes[0]
    markers = {(float(line.get_xdata()[0]), float(line.get_ydata()[0])) for line in ax.lines
               if line.get_linestyle() == "None" and len(line.get_xdata()) == 1}
    assert (21.0, 55.4) in markers and (1.0, 52.2) in markers


def test_linear_scale_and_time_marker(data):
    chart = charts.plot_onset_timelines(data, at_days=28, scale="linear")
    ax = chart.figure.axes[0]
    assert ax.get_xscale() == "linear" and ax.get_xlabel() == "Weeks since the first dose or session"
    assert "Marked at 4 weeks" in chart.alt
    assert "IV ketamine (one infusion) no data" in chart.alt


def test_alt_text_says_what_the_chart_shows(data):
    alt = charts.plot_onset_timelines(data).alt
    assert alt.startswith("Line chart: percent of patients responding")
    assert "IV ketamine (one infusion): response reaches 52.2% at 1 day, then 18% at 2 weeks" in alt
    assert "illustrative" in alt
    assert len(alt) > 200


@pytest.mark.parametrize("kwargs, message", [
    ({"treatments": ("homeopathy",)}, "unknown treatment"),
    ({"scale": "square"}, "scale must be"),
    ({"at_days": 0}, "positive"),
    ({"layer": "top"}, "layer must be"),
])
def test_bad_arguments_are_rejected(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.plot_onset_timelines(data, **kwargs)


def test_single_vs_course_chart(data):
    chart = charts.plot_single_vs_course(data)
    labels = [t.get_text() for t in chart.figure.axes[0].get_legend().get_texts()]
    assert labels == [
        "IV ketamine (one infusion) (illustrative curve)", "IV ketamine (one infusion): measured response",
        "IV ketamine (course of 6) (illustrative curve)", "IV ketamine (course of 6): measured response",
    ]
    assert "55.4% responding at the end of 3 weeks" in chart.alt


def test_png_is_small_deterministic_and_the_html_carries_alt(data):
    first = charts.plot_single_vs_course(data)
    second = charts.plot_single_vs_course(data)
    assert first.png() == second.png()
    assert len(first.png()) < 60_000
    image = Image.open(io.BytesIO(first.png()))
    assert image.size == (900, 468)
    assert image.convert("RGB").getpixel((2, 2)) == (255, 255, 255), "the background stays pure white"
    assert f'alt="{first.alt}"' in first.html()
    bundle, metadata = first._repr_mimebundle_()
    assert bundle["text/plain"] == first.alt and bundle["text/html"].startswith("<img")
    assert metadata == {"text/html": {"alt": first.alt}}


def test_palette_is_okabe_ito_and_styles_are_distinct_without_colour():
    assert {s.color for s in TREATMENT_STYLE.values()} <= set(OKABE_ITO.values())
    assert len({s.color for s in TREATMENT_STYLE.values()}) == len(TREATMENT_STYLE)
    assert len({s.marker for s in TREATMENT_STYLE.values()}) == len(TREATMENT_STYLE)
    assert len({str(s.linestyle) for s in TREATMENT_STYLE.values()}) == len(TREATMENT_STYLE)


@pytest.mark.parametrize("days, words", [(110 / 1440, "110 minutes"), (4 / 24, "4 hours"), (1, "1 day"),
                                         (3, "3 days"), (7, "1 week"), (24.5, "3.5 weeks"), (84, "12 weeks")])
def test_format_days(days, words):
    assert charts.format_days(days) == words


def test_prevalence_chart_shows_each_group_and_the_equal_line(data):
    chart = charts.plot_prevalence(data, "world_sex")
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["All adults", "Men", "Women"]
    assert [round(p.get_width(), 1) for p in ax.patches] == [5.0, 4.0, 6.0]
    assert "Women 6%" in chart.alt and "equal" in chart.alt
    with pytest.raises(ValueError):
        charts.plot_prevalence(data, "mars")


def test_stard_chart_follows_the_controls(data):
    chart = charts.plot_stard(data, steps=2, weeks_per_step=8)
    assert [round(p.get_height(), 1) for p in chart.figure.axes[0].patches] == [36.8, 30.6]
    assert "16 weeks in all" in chart.alt and "about 35%" in chart.alt
    with pytest.raises(ValueError):
        charts.plot_stard(data, steps=5)


def test_side_effect_chart_pairs_drug_and_placebo(data):
    chart = charts.plot_side_effects(data, "esketamine", "Perception")
    assert "Dissociation 41% vs 9%" in chart.alt
    assert len(chart.figure.axes[0].patches) == 2 * sum(1 for r in data.side_effects if r.category == "Perception"
                                                         and r.drug == "esketamine")
    single = charts.plot_side_effects(data, "escitalopram")
    assert "Nausea 15%" in single.alt and "placebo" not in single.alt


def test_timeline_fades_future_events(data):
    chart = charts.plot_timeline(data, 2000)
    assert "5 of them up to 2000" in chart.alt and "2019" not in chart.alt.split("up to 2000:")[1]


def test_cascade_marks_evidence_strength(data):
    chart = charts.plot_cascade(data, 6)
    assert "New synapses (animal studies only)" in chart.alt and "NMDA receptor blocked (shown in humans)" in chart.alt
    assert "Opioid" not in chart.alt
    with pytest.raises(ValueError):
        charts.plot_cascade(data, 0)


def test_plasma_chart_is_labelled_illustrative(data):
    chart = charts.plot_plasma(data, 80)
    assert "illustrative" in chart.alt and "peak about 173 ng/mL" in chart.alt and "about 89 ng/mL" in chart.alt
    labels = _legend_texts(chart.figure)
    assert "illustrative model\n(not for dosing)" in labels
    assert "General anaesthesia: 1200-2400 ng/mL" in labels


def test_acute_effects_chart_marks_the_monitoring_window(data):
    inside = charts.plot_acute_effects(data, 90)
    after = charts.plot_acute_effects(data, 180)
    assert "inside the monitoring window" in inside.alt and "after the monitoring window" in after.alt
    assert "mean +3.28 mmHg" in inside.alt


def test_dose_chart_and_time_to_response_chart(data):
    assert "Anaesthetic induction 1 to 4.5 mg/kg" in charts.plot_dose_levels(data).alt
    alt = charts.plot_time_to_response(data, 50).alt
    assert "Standard antidepressant (SSRI): 8 weeks" in alt
    with pytest.raises(ValueError):
        charts.plot_time_to_response(data, 100)


def test_talk_mode_enlarges_type_and_lines(data, monkeypatch):
    from ketamine_explainer import style

    normal = charts.plot_single_vs_course(data, talk=False).figure.axes[0]
    monkeypatch.setenv("KETAMINE_TALK", "0")
    style.set_talk_mode(True)
    try:
        talk = charts.plot_single_vs_course(data).figure.axes[0]
    finally:
        style.set_talk_mode(False)
    assert talk.title.get_fontsize() > normal.title.get_fontsize() * 1.3
    assert talk.lines[0].get_linewidth() > normal.lines[0].get_linewidth() * 1.3
    assert talk.xaxis.label.get_fontsize() > normal.xaxis.label.get_fontsize()


@pytest.mark.parametrize("plot", [charts.plot_plasma, charts.plot_acute_effects])
def test_time_marks_of_other_charts_are_overlays_of_the_same_size(data, plot):
    import numpy as np

    base = np.asarray(Image.open(io.BytesIO(plot(data, layer="base").png())).convert("RGBA"))
    mark = plot(data, 90, layer="marker")
    overlay = np.asarray(Image.open(io.BytesIO(mark.png())).convert("RGBA"))
    assert base.shape == overlay.shape and (overlay[..., 3] == 0).mean() > 0.9
    assert "90 minutes" in mark.alt or "1.5 hours" in mark.alt
    assert mark.alt in plot(data, 90).alt
    with pytest.raises(ValueError, match="needs at_minutes"):
        plot(data, layer="marker")


def test_dollar_signs_in_data_are_text_not_formulas(data_copy):
    # "$^$" is a broken formula: with math parsing on, matplotlib raises while drawing.
    import ketamine_explainer as kx

    data_copy.edit("treatments.csv", "IV ketamine (one infusion)", "IV ketamine $^$ (costs $400)")
    data_copy.edit("side_effects.csv", ",Dissociation,", ",Dissociation $^$ $x$,")
    data_copy.edit("timeline.csv", "Calvin Stevens synthesises", "Calvin Stevens ($^$ for $5) synthesises")
    dollars = kx.load(data_copy.path)
    onset = charts.plot_onset_timelines(dollars, ("iv_single", "ssri"), at_days=7)
    assert "IV ketamine $^$ (costs $400)" in _legend_texts(onset.figure)
    side = charts.plot_side_effects(dollars, "esketamine")
    assert "Dissociation $^$ $x$" in [t.get_text() for t in side.figure.axes[0].get_yticklabels()]
    for chart in (onset, side, charts.plot_timeline(dollars), charts.plot_time_to_response(dollars)):
        Image.open(io.BytesIO(chart.png())).verify()
