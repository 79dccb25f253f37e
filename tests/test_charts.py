"""Charts: expected series, labels, house colours, and alt text that describes the chart."""

import base64
import io
import re

import hypothesis
import matplotlib.lines
import matplotlib.text
import pytest
from hypothesis import strategies as st
from matplotlib.colors import to_hex
from PIL import Image

from ketamine_explainer import charts, notebooks
from ketamine_explainer.style import OKABE_ITO, TREATMENT_STYLE
from ketamine_explainer.units import format_days


def _legend_texts(figure):
    return [t.get_text() for legend in figure.legends for t in legend.get_texts()]


def test_onset_chart_draws_one_curve_per_treatment_in_its_house_style(data):
    chart = charts.plot_onset_timelines(data, treatments=("iv_single", "ssri"), at_days=7)
    ax = chart.figure.axes[0]
    curves = [line for line in ax.lines if len(line.get_xdata()) > 10]
    assert [to_hex(line.get_color()) for line in curves] == [TREATMENT_STYLE["iv_single"].color.lower(),
                                                             TREATMENT_STYLE["ssri"].color.lower()]
    names = [t.get_text() for t in chart.figure.texts if not t.get_text().startswith(":")][1:]  # after the footnote
    assert names[:2] == ["IV ketamine, one infusion", "SSRI or SNRI"], "each line is named beside the axes"
    key = _legend_texts(chart.figure)
    assert key == ["measured response (trial data)", "measured remission", "illustrative curve between points"]
    readings = [t.get_text() for t in chart.figure.texts if t.get_text().startswith(":")]
    assert readings == [": 39.8%", ": no measurement"], "readings follow the names, and only measured values are printed"
    assert charts.POPULATION_NOTE in [t.get_text() for t in chart.figure.texts], "the population caveat is in the image"
    assert ax.get_ylabel() == "Patients responding (%)"
    assert ax.get_xscale() == "log"


def test_a_mark_layer_is_the_mark_alone_on_the_charts_own_figure(data):
    import numpy as np

    from ketamine_explainer.charts.onset import mark_onset

    spec = charts.plot_onset_timelines.spec
    assert spec.marker is mark_onset and spec.marker_name == "at_days"
    base = spec.draw(data)
    layer = base.layer(mark_onset, 7)
    full = charts.plot_onset_timelines(data, at_days=7)
    assert full.alt == f"{base.alt} {layer.alt}"
    assert layer.alt.startswith("Marked at 1 week:") and "Marked" not in base.alt
    assert [t.get_text() for t in base.figure.texts] == [t.get_text() for t in spec.draw(data).figure.texts], \
        "the layer's artists are removed again"
    assert not any(t.get_text().startswith(":") for t in base.figure.texts)
    base_img = np.asarray(Image.open(io.BytesIO(base.png())).convert("RGBA"))
    layer_img = np.asarray(Image.open(io.BytesIO(layer.png)).convert("RGBA"))
    full_img = np.asarray(Image.open(io.BytesIO(full.png())).convert("RGBA"))
    assert base_img.shape == layer_img.shape == full_img.shape, "the layer lies exactly over the chart"
    assert base_img[..., 3].min() == 255 and (layer_img[..., 3] == 0).mean() > 0.9, "the layer is mostly transparent"
    # The chart with its layer composited is the chart drawn with its mark, to within the colour quantization.
    alpha = layer_img[..., 3:] / 255
    composite = base_img[..., :3] * (1 - alpha) + layer_img[..., :3] * alpha
    assert np.abs(composite - full_img[..., :3]).mean() < 2
    with pytest.raises(ValueError, match="outside the chart's axis"):
        charts.plot_onset_timelines(data, at_days=-1)


def test_measured_points_are_markers_at_their_values(data):
    chart = charts.plot_onset_timelines(data, treatments=("iv_course",))
    ax = chart.figure.axes[0]
    markers = {(float(line.get_xdata()[0]), float(line.get_ydata()[0])) for line in ax.lines
               if line.get_linestyle() == "None" and len(line.get_xdata()) == 1}
    assert (21.0, 55.4) in markers and (1.0, 52.2) in markers


def test_linear_scale_and_time_marker(data):
    chart = charts.plot_onset_timelines(data, at_days=28, scale="linear")
    ax = chart.figure.axes[0]
    strip = chart.figure.axes[1]  # the first-effect strip under the axes carries the time axis's labels
    assert ax.get_xscale() == strip.get_xscale() == "linear" and strip.get_xlabel() == "Weeks since the first dose or session"
    assert "Marked at 4 weeks" in chart.alt
    assert "IV ketamine (one infusion) no measurement (nearest: 39.8% at 1 week)" in chart.alt
    assert "Esketamine nasal spray 58.7% measured at 4 weeks (Turkoz 2021)" in chart.alt, "each reading names its source"
    assert "58.7% at 4 weeks (Turkoz 2021: TRD, pooled post hoc analysis" in chart.alt, "and the chart the population behind it"


def test_alt_text_says_what_the_chart_shows(data):
    alt = charts.plot_onset_timelines(data).alt
    assert alt.startswith("Line chart: percent of patients responding")
    assert "IV ketamine (one infusion): response measured 52.2% at 1 day, 47.9% at 3 days, 39.8% at 1 week" in alt
    assert "18% at 2 weeks, an illustrative anchor with no measurement there" in alt, "the 14-day anchor is not a finding"
    assert "compare shapes, not heights" in alt
    assert len(alt) > 200


@pytest.mark.parametrize("kwargs, message", [
    ({"treatments": ("homeopathy",)}, "unknown treatment"),
    ({"scale": "square"}, "scale 'square' is not one of its values: choose from 'log', 'linear'"),
    ({"at_days": 0}, "at_days 0 days is outside the chart's axis, which runs from"),
    ({"at_days": "1 week"}, "at_days takes a number of days"),
])
def test_bad_arguments_are_rejected(data, kwargs, message):
    with pytest.raises(ValueError, match=message):
        charts.plot_onset_timelines(data, **kwargs)


def test_chart_options_are_given_by_name(data):
    with pytest.raises(TypeError, match=r"takes its options by name \(treatments, scale, talk, at_days\)"):
        charts.plot_onset_timelines(data, ("ssri",))
    with pytest.raises(TypeError, match="unexpected keyword"):
        charts.plot_onset_timelines(data, layer="top")


def test_single_vs_course_chart(data):
    chart = charts.plot_single_vs_course(data)
    (legend,) = chart.figure.legends  # below the axes: inside, its marker sat where a 2-week point would be
    assert chart.figure.axes[0].get_legend() is None
    labels = [t.get_text() for t in legend.get_texts()]
    assert labels == [
        "IV ketamine (one infusion) (illustrative curve)", "IV ketamine (one infusion): measured response",
        "IV ketamine (course of 6) (illustrative curve)", "IV ketamine (course of 6): measured response",
    ]
    axes, box = chart.figure.axes[0].get_window_extent(), legend.get_window_extent()
    assert box.y1 < axes.y0, "the legend lies wholly below the axes, over no curve or point"
    assert "55.4% responding at 3 weeks (Anand 2023" in chart.alt and "open-label trial against ECT, with no placebo arm" in chart.alt
    assert "not a measurement at 2 weeks" in chart.alt and "back to about 18%" not in chart.alt


def test_png_is_small_deterministic_and_the_html_carries_alt(data):
    first = charts.plot_single_vs_course(data)
    second = charts.plot_single_vs_course(data)
    assert first.png() == second.png()
    assert len(first.png()) < 60_000
    image = Image.open(io.BytesIO(first.png()))
    assert image.size == (900, 513)  # 10 x 5.7 inches at 90 dpi
    assert image.convert("RGB").getpixel((2, 2)) == (255, 255, 255), "the background stays pure white"
    assert f'alt="{first.alt}"' in first.html()
    bundle, metadata = first._repr_mimebundle_()
    assert bundle["text/plain"] == first.alt and metadata == {"text/html": {"alt": first.alt}}
    # On a page the image comes with its narrow layout, which the browser takes on screens up to 899 px wide; the export
    # keeps it whole (page.CHART_IMAGE), and paper drops it.
    from ketamine_explainer.page import CHART_IMAGE

    assert CHART_IMAGE.fullmatch(bundle["text/html"])
    found = re.fullmatch(r'<picture style="display:block"><source media="screen and \(max-width: 899px\)" '
                         r'srcset="data:image/png;base64,([^"]+)"[^>]*><img src="data:image/png;base64,([^"]+)" [^>]*></picture>',
                         bundle["text/html"])
    assert found, bundle["text/html"][:200]
    narrow, wide = (Image.open(io.BytesIO(base64.b64decode(part))) for part in found.groups())
    assert wide.size == (900, 513) and narrow.size == (567, 864), "4.2 inches wide at 135 dpi, in one column"
    assert first.narrow.png() == base64.b64decode(found.group(1)) and first.png() == base64.b64decode(found.group(2))


#: Okabe M, Ito K (2008), "Color Universal Design (CUD): how to make figures and presentations that are friendly to
#: colorblind people", the published sRGB values, typed in here rather than read from style.py.
PUBLISHED_OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
#: Least CIEDE2000 difference between any two treatment colours. A difference of about 1 to 2 is just noticeable
#: between two large patches side by side; treatment lines and markers are thin and read apart, across a legend, so
#: we ask for ten times that under simulated dichromacy and twenty times with normal vision. Okabe-Ito's closest
#: pair as used here (vermillion and orange, 22 with normal vision; reddish purple and blue, 12 under protanopia)
#: passes; a colour one unit from another (difference below 0.1) fails.
MIN_DELTA_E = {"normal": 20.0, "deuteranopia": 10.0, "protanopia": 10.0}


def _as_seen(color: str, vision: str, method: str):
    from coloraide import Color

    if vision == "normal":
        return Color(color)
    return Color(color).filter(vision.removesuffix("opia").replace("deuteran", "deutan"), method=method).convert("srgb").clip()


def test_palette_is_the_published_okabe_ito_and_styles_are_distinct_without_colour():
    assert {k: v.upper() for k, v in OKABE_ITO.items()} == PUBLISHED_OKABE_ITO
    assert {s.color.upper() for s in TREATMENT_STYLE.values()} <= set(PUBLISHED_OKABE_ITO.values())
    assert len({s.marker for s in TREATMENT_STYLE.values()}) == len(TREATMENT_STYLE)
    assert len({str(s.linestyle) for s in TREATMENT_STYLE.values()}) == len(TREATMENT_STYLE)


@pytest.mark.parametrize("method", ["machado", "brettel"])  # Machado 2009 and Brettel 1997 dichromat models, full severity
@pytest.mark.parametrize("vision", list(MIN_DELTA_E))
def test_every_pair_of_treatment_colours_is_far_apart(vision, method):
    from itertools import combinations

    seen = {t: _as_seen(s.color, vision, method) for t, s in TREATMENT_STYLE.items()}
    close = [(round(seen[a].delta_e(seen[b], method="2000"), 1), a, b) for a, b in combinations(seen, 2)
             if seen[a].delta_e(seen[b], method="2000") < MIN_DELTA_E[vision]]
    assert not close, f"treatment colours too alike under {vision} ({method}): {close}"


@pytest.mark.parametrize("days, words", [(110 / 1440, "110 minutes"), (4 / 24, "4 hours"), (1, "1 day"),
                                         (3, "3 days"), (7, "1 week"), (24.5, "3.5 weeks"), (84, "12 weeks")])
def test_format_days(days, words):
    assert format_days(days) == words


def test_prevalence_chart_shows_each_group_and_the_equal_line(data):
    chart = charts.plot_prevalence(data, view="world_sex")
    ax = chart.figure.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["All adults", "Men", "Women"]
    assert [round(p.get_width(), 1) for p in ax.patches] == [5.0, 4.0, 6.0]
    assert "Women 6%" in chart.alt and "equal" in chart.alt
    with pytest.raises(ValueError):
        charts.plot_prevalence(data, view="mars")


def test_stard_chart_follows_the_controls(data):
    chart = charts.plot_stard(data, steps=2, weeks_per_step=8)
    assert [round(p.get_height(), 1) for p in chart.figure.axes[0].patches] == [36.8, 30.6]
    assert "16 weeks in all" in chart.alt and "about 35%" in chart.alt
    with pytest.raises(ValueError):
        charts.plot_stard(data, steps=5)


def test_side_effect_chart_pairs_drug_and_placebo(data):
    chart = charts.plot_side_effects(data, drug="esketamine", category="Perception")
    assert "Dissociation 41% vs 9%" in chart.alt
    assert len(chart.figure.axes[0].patches) == 2 * sum(1 for r in data.side_effects if r.category == "Perception"
                                                         and r.drug == "esketamine")
    single = charts.plot_side_effects(data, drug="escitalopram")
    assert "Nausea 15%" in single.alt and "Placebo rates are not shown" in single.alt


def test_timeline_fades_future_events(data):
    chart = charts.plot_timeline(data, up_to_year=2000)
    assert "5 of them up to 2000" in chart.alt and "2019" not in chart.alt.split("up to 2000:")[1]


def test_cascade_marks_evidence_strength(data):
    chart = charts.plot_cascade(data, up_to_step=6)
    assert "New synapses (animal studies only)" in chart.alt and "NMDA receptor blocked (shown in humans)" in chart.alt
    assert "Opioid" not in chart.alt
    with pytest.raises(ValueError):
        charts.plot_cascade(data, up_to_step=0)


def test_plasma_chart_is_labelled_illustrative(data):
    chart = charts.plot_plasma(data, at_minutes=80)
    assert "illustrative" in chart.alt and "peak about 173 ng/mL" in chart.alt and "about 89 ng/mL" in chart.alt
    assert "illustrative model gives about 89 ng/mL (a model value, not a measurement)" in chart.alt
    labels = _legend_texts(chart.figure)
    assert "illustrative model\n(not for dosing)" in labels
    assert "General anaesthesia: 1200-2400 ng/mL" in labels


def test_acute_effects_chart_marks_the_monitoring_window(data):
    inside = charts.plot_acute_effects(data, at_minutes=90)
    after = charts.plot_acute_effects(data, at_minutes=180)
    assert "inside the monitoring window" in inside.alt and "after the monitoring window" in after.alt
    assert "mean +3.28 mmHg" in inside.alt
    assert "lasts about 4 hours" in inside.alt and "REMS" in inside.alt
    assert "blood pressure may still be raised" in after.alt


def test_dose_chart_and_timing_chart(data):
    assert "Anaesthetic induction 1 to 4.5 mg/kg" in charts.plot_dose_levels(data).alt
    first = charts.plot_timing(data, show="first").alt
    assert "IV ketamine (one infusion): 110 minutes to 4 hours (Coyle 2015; Zarate 2006)" in first
    assert "Cognitive behavioural therapy: none in the data" in first
    measured = charts.plot_timing(data, show="measured").alt
    assert "Cognitive behavioural therapy: 8 weeks to 16 weeks (DeRubeis 2005)" in measured
    assert "compare shapes, not heights" in measured
    with pytest.raises(ValueError):
        charts.plot_timing(data, show="fastest")


def _first_measured_days(data, treatment):
    from ketamine_explainer import models

    curve = models.onset_curve(data, treatment)
    return min(p.days for p in models.measured_points(data, treatment, (curve.measure,)))


def test_every_reading_before_a_treatments_first_measurement_says_no_measurement(data):
    """Readouts never print a value read off an illustrative curve (the curves start at 0% at time 0)."""
    from ketamine_explainer import models

    for days in (4 / 24, 1, 7, 28, 84):
        for chart in (charts.plot_onset_timelines(data, at_days=days),):
            readings = [t.get_text() for t in chart.figure.texts if t.get_text().startswith(":")]
            assert len(readings) == len(data.treatments)
            for t, reading in zip(data.treatments, readings):
                label = t.label
                point = models.onset_reading(data, models.onset_curve(data, t.id), days)
                if days < _first_measured_days(data, t.id) / models.NEAR_FACTOR:
                    assert reading == ": no measurement", (t.id, days, reading)
                    assert f"{label} no measurement" in chart.alt, (t.id, days)
                if point is None:
                    assert reading == ": no measurement" and f"{label} no measurement" in chart.alt
                else:  # a printed number is a measured value at or near this time, and the alt text says so
                    assert point.measured and max(point.days, days) / min(point.days, days) <= models.NEAR_FACTOR
                    assert reading.startswith(f": {point.value_pct:g}%")
                    assert f"{label} {point.value_pct:g}% measured at" in chart.alt
    preview = charts.plot_onset_timelines(data, treatments=("iv_single", "ssri"), at_days=4 / 24)
    assert [t.get_text() for t in preview.figure.texts if t.get_text().startswith(":")] == [": no measurement"] * 2


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
def test_time_marks_of_other_charts_are_layers_of_the_same_size(data, plot):
    import numpy as np

    spec = plot.spec
    chart = spec.draw(data)
    base = np.asarray(Image.open(io.BytesIO(chart.png())).convert("RGBA"))
    mark = chart.layer(spec.marker, 90)
    overlay = np.asarray(Image.open(io.BytesIO(mark.png)).convert("RGBA"))
    assert base.shape == overlay.shape and (overlay[..., 3] == 0).mean() > 0.9
    assert "90 minutes" in mark.alt or "1.5 hours" in mark.alt
    assert mark.alt in plot(data, at_minutes=90).alt


@pytest.mark.parametrize("narrow", [False, True], ids=["wide", "narrow"])
@pytest.mark.parametrize("plot, kwargs, x", [
    (charts.plot_onset_timelines, {"scale": "log"}, 4 / 24),
    (charts.plot_onset_timelines, {"scale": "log"}, 7.0),
    (charts.plot_onset_timelines, {"scale": "linear"}, 84.0),
    (charts.plot_plasma, {}, 120),
    (charts.plot_acute_effects, {}, 90),
])
def test_time_mark_lies_at_its_time_on_the_base_charts_axes(data, plot, kwargs, x, narrow):
    from contextlib import nullcontext

    from ketamine_explainer.charts.kit import narrow_layout

    from .geometry import decode, expected_column, mark_column

    with narrow_layout() if narrow else nullcontext():
        base = plot.spec.draw(data, **kwargs)
    assert base.in_narrow_layout is narrow and base.figure.get_figwidth() == (4.2 if narrow else 10.0)
    geometry = base.geometry()
    mark = base.layer(plot.spec.marker, x)
    assert mark.geometry == geometry, "the layer has the base chart's axes box, limits and scale"
    src = re.search(r'src="([^"]+)"', mark.html()).group(1)
    assert abs(mark_column(decode(src), geometry) - expected_column(geometry, x)) <= 1


#: Every chart the notebooks show outside an explorer, with the arguments they use.
STATIC_CHARTS = (
    ("plot_onset_timelines", dict(treatments=("ssri", "cbt"), at_days=14, scale="linear")),
    ("plot_side_effects", dict(drug="escitalopram")),
    ("plot_single_vs_course", {}),
    ("plot_dose_levels", {}),
)


def _drawn_texts(figure) -> list:
    """Every non-empty text matplotlib draws on ``figure``, with its extent from the renderer."""
    from matplotlib.text import Text

    drawn, draw = [], Text.draw

    def record(text, renderer):
        draw(text, renderer)
        if text.get_visible() and text.get_text().strip():
            drawn.append(text)

    Text.draw = record
    try:
        figure.canvas.draw()
    finally:
        Text.draw = draw
    renderer = figure.canvas.get_renderer()
    return [(text, text.get_window_extent(renderer)) for text in drawn]


def _texts_outside(figure) -> list[str]:
    """Every text drawn on ``figure`` whose extent falls outside the image."""
    box, outside = figure.bbox, []
    for text, ext in _drawn_texts(figure):  # a pixel of tolerance for anti-aliasing
        if ext.x0 < box.x0 - 1 or ext.y0 < box.y0 - 1 or ext.x1 > box.x1 + 1 or ext.y1 > box.y1 + 1:
            outside.append(f"{text.get_text()!r} at {[round(v) for v in ext.extents]} in {[round(v) for v in box.extents]}")
    return outside


def _texts_overlapping(figure) -> list[str]:
    """Every pair of texts drawn on ``figure`` whose extents overlap (by more than a pixel each way)."""
    import itertools

    found = []
    for (a, ea), (b, eb) in itertools.combinations(_drawn_texts(figure), 2):
        if min(ea.x1, eb.x1) - max(ea.x0, eb.x0) > 1 and min(ea.y1, eb.y1) - max(ea.y0, eb.y0) > 1:
            found.append(f"{a.get_text()!r} overlaps {b.get_text()!r}")
    return found


def _layout_problems(chart) -> list[str]:
    """Texts outside the image or on top of each other, in the chart and (on a page) its narrow layout."""
    figures = [("", chart.figure)] + ([("narrow: ", chart.narrow.figure)] if chart.narrow is not None else [])
    return [f"{layout}{p}" for layout, figure in figures for p in (*_texts_outside(figure), *_texts_overlapping(figure))]


@pytest.mark.slow  # every frame of every explorer, drawn: 1.5 min; make test runs it, make quick does not
@pytest.mark.parametrize("talk", [True, False], ids=["talk", "page"])
def test_no_text_of_any_chart_or_frame_falls_outside_its_image(data, monkeypatch, talk):
    """Every chart the notebooks draw, and every frame of every explorer (each option of each control), in talk mode
    (slides) and on the page in both its layouts (wide, and narrow for phones): each drawn text (titles, labels,
    ticks, legends, readings, notes) lies inside the figure, and no two texts overlap."""
    import itertools

    from ketamine_explainer import notebooks, style

    from .explorers import explore_calls

    monkeypatch.setenv("KETAMINE_TALK", "1" if talk else "0")
    assert style.talk_mode() is talk
    problems, called = [], set()
    for stem in notebooks.NOTEBOOKS:
        for call in explore_calls(stem, data):
            called.add(call.chart.__name__)
            for values in itertools.product(*([v for _, v in c.options] for c in call.controls)):
                kwargs = dict(call.fixed, **{c.name: v for c, v in zip(call.controls, values)})
                chart = call.chart(data, **kwargs)  # the chart with its mark: every text of both layers
                assert (chart.narrow is None) is talk, "a page chart has a narrow layout; a slide's has none"
                problems.extend(f"{call.chart.__name__} {kwargs}: {p}" for p in _layout_problems(chart))
    for name, kwargs in STATIC_CHARTS:
        called.add(name)
        chart = getattr(charts, name)(data, **kwargs)
        problems.extend(f"{name} {kwargs}: {p}" for p in _layout_problems(chart))
    assert called == {n for n in dir(charts) if n.startswith("plot_")}, "every chart function is measured"
    assert not problems, "text outside the image or overlapping:\n" + "\n".join(problems[:20])


def test_dollar_signs_in_data_are_text_not_formulas(data_copy):
    # "$^$" is a broken formula: with math parsing on, matplotlib raises while drawing.
    import ketamine_explainer as kx

    data_copy.edit("treatments.csv", "IV ketamine (one infusion)", "IV ketamine $^$ (costs $400)")
    data_copy.edit("side_effects.csv", ",Dissociation,", ",Dissociation $^$ $x$,")
    data_copy.edit("timeline.csv", "Calvin Stevens synthesises", "Calvin Stevens ($^$ for $5) synthesises")
    dollars = kx.load(data_copy.path)
    side = charts.plot_side_effects(dollars, drug="esketamine")
    assert "Dissociation $^$ $x$" in [t.get_text() for t in side.figure.axes[0].get_yticklabels()]
    timeline = charts.plot_timeline(dollars)
    assert any("($^$ for $5)" in t.get_text() for t in timeline.figure.findobj(matplotlib.text.Text))
    for chart in (side, timeline, charts.plot_timing(dollars)):
        Image.open(io.BytesIO(chart.png())).verify()


# --- No number hides in chart code ------------------------------------------------------------------------------------

def _forms(value) -> set[str]:
    """How a number from data may be written: as given, and rounded to a whole number."""
    value = float(value)
    return {f"{value:g}", f"{round(value):d}"}


def _data_numbers(data) -> set[str]:
    """Every number in data/ a chart may show: numeric cells, numbers inside text cells other than notes, sources' years,
    times as the charts write them, and every value of the claims ledger."""
    import dataclasses

    from ketamine_explainer.claims import numbers_in_text
    from ketamine_explainer.units import format_minutes

    found: set[str] = set()
    found |= {s.year for s in data.sources.values()}  # of a source, charts show its year only ("Han 2016")
    rows = [row for name in dataclasses.fields(data) if isinstance(getattr(data, name.name), tuple) for row in getattr(data, name.name)]
    for row in rows:
        for field in dataclasses.fields(row):
            value = getattr(row, field.name)
            if field.name in ("note", "evidence", "url", "doi", "pmid", "data_ref") or isinstance(value, bool) or value is None:
                continue
            if isinstance(value, int | float):
                found |= _forms(value)
            elif isinstance(value, str):
                found |= set(numbers_in_text(value))
    for point in data.onset:
        found |= set(numbers_in_text(format_days(point.days)))
    for effect in data.acute_effects:
        found |= set(numbers_in_text(format_minutes(effect.minutes)))
    for claim in data.claims:
        for number in claim.numbers:
            found |= _forms(number)
    return found


def _chart_numbers(chart) -> list[str]:
    """The numbers a chart shows in its words (title, labels, notes, legend, alt text), not its tick labels."""
    from ketamine_explainer.claims import numbers_in_text

    ticks = {id(t) for ax in chart.figure.axes for t in (*ax.get_xticklabels(), *ax.get_yticklabels())}
    words = [t.get_text() for t in chart.figure.findobj(matplotlib.text.Text) if id(t) not in ticks and t.get_visible()]
    return [n for text in [*words, chart.alt] for n in numbers_in_text(text)]


def _allowed_for(chart, data, values: dict) -> set[str]:
    """Numbers a drawing may show beyond data/: its own axis ends and ticks, the values it was asked to draw (as their
    controls word them), and the few figures computed from data by a declared rule (each named here)."""
    from ketamine_explainer import models
    from ketamine_explainer.claims import numbers_in_text
    from ketamine_explainer.units import format_minutes

    allowed: set[str] = set()
    for ax in chart.figure.axes:
        for end in (*ax.get_xlim(), *ax.get_ylim()):
            allowed |= _forms(end) | set(numbers_in_text(format_days(max(end, 0)))) | set(numbers_in_text(format_minutes(max(end, 0))))
        allowed |= {n for t in (*ax.get_xticklabels(), *ax.get_yticklabels()) for n in numbers_in_text(t.get_text())}
    for value in values.values():
        if isinstance(value, int | float) and not isinstance(value, bool):
            allowed |= _forms(value) | set(numbers_in_text(format_days(value))) | set(numbers_in_text(format_minutes(value)))
    if "steps" in values:  # STAR*D: weeks in all, and the cumulative remission the steps imply
        allowed |= _forms(values["steps"] * values.get("weeks_per_step", 12))
        rates = [r.value_pct for r in sorted((r for r in data.stard if r.measure == "step_remission"), key=lambda r: r.step)]
        allowed |= {f"{models.cumulative_remission(rates[:values['steps']])[-1]:.0f}"}
    if chart.alt.startswith("Line chart, log scale, of an illustrative two-compartment model"):  # the plasma model's values
        model, dose, infusion = models.pk_model(data)  # at the marked time, the peak, the monitoring window and the axis end
        window = next(r.minutes for r in data.acute_effects if (r.effect, r.event) == ("Monitoring", "window"))
        times = [values.get("at_minutes", infusion), infusion, window, chart.figure.axes[0].get_xlim()[1]]
        allowed |= {f"{c:.0f}" for c in models.plasma_concentration(model, times, dose, infusion)}
    allowed |= {str(len(data.mechanism))}  # the cascade's number of steps
    return allowed


def _chart_calls(data):
    """Every chart the notebooks show: each static call, and each explorer at every combination of its controls."""
    import itertools

    from .explorers import explore_calls

    for name, kwargs in STATIC_CHARTS:
        yield getattr(charts, name), dict(kwargs)
    for stem in notebooks.NOTEBOOKS:
        for call in explore_calls(stem, data):
            for combo in itertools.product(*(c.options for c in call.controls)):
                yield call.chart, {**call.fixed, **{c.name: value for c, (_, value) in zip(call.controls, combo)}}


def test_every_number_a_chart_shows_comes_from_data_or_the_claims_ledger(data):
    from ketamine_explainer.style import narrow_too

    known = _data_numbers(data)
    stray = []
    for chart_function, values in _chart_calls(data):
        with narrow_too(False):
            chart = chart_function(data, **values)
        allowed = known | _allowed_for(chart, data, values)
        for number in _chart_numbers(chart):
            if number not in allowed:
                stray.append(f"{chart_function.__name__}({values}): {number}")
        chart.figure.clear()
    assert not stray, "numbers in chart text that data/ and the claims ledger do not hold:\n" + "\n".join(sorted(set(stray))[:30])


def _boxes(figure):
    """Every visible text in the figure (titles, labels, notes, legends, tick labels) with its box in pixels."""
    renderer = figure.canvas.get_renderer()
    found = []
    for text in figure.findobj(matplotlib.text.Text):
        if not (text.get_visible() and text.get_text().strip()):
            continue
        if any(not parent.get_visible() for parent in _parents(text)):
            continue
        patch = text.get_bbox_patch()
        if patch is not None:
            text.draw(renderer)
        found.append((text.get_text().replace("\n", " ")[:40], (patch or text).get_window_extent(renderer)))
    return found


def _parents(artist):
    parent = getattr(artist, "axes", None)
    return [parent] if parent is not None else []


def _collisions(figure, lines=()):
    """Pairs of texts whose boxes overlap by more than a pixel, and texts a vertical mark line passes through."""
    boxes, problems = _boxes(figure), []
    for k, (text, box) in enumerate(boxes):
        for other, other_box in boxes[k + 1:]:
            if min(box.x1, other_box.x1) - max(box.x0, other_box.x0) > 1 and \
                    min(box.y1, other_box.y1) - max(box.y0, other_box.y0) > 1:
                problems.append(f"{text!r} overlaps {other!r}")
    for line in lines:
        (x0, y0), (x1, y1) = line.get_transform().transform(list(zip(line.get_xdata(), line.get_ydata())))
        for text, box in boxes:
            if box.x0 + 0.5 < x0 < box.x1 - 0.5 and min(box.y1, max(y0, y1)) - max(box.y0, min(y0, y1)) > 0.5:
                problems.append(f"the time mark runs through {text!r}")
    return problems


def _every_frame(call, data):
    """Each combination of an explorer's controls: (the chart's keywords, the marker's values)."""
    import itertools

    base = [c for c in call.controls if c.name != call.marker]
    marks = next((c for c in call.controls if c.name == call.marker), None)
    for values in itertools.product(*(c.options for c in base)):
        yield {**call.fixed, **{c.name: v for c, (_, v) in zip(base, values)}}, [v for _, v in marks.options] if marks else []


LAYOUTS = ("page", "talk", "narrow")


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("stem", "function"), [("05_rapid_onset", "plot_onset_timelines"), ("06_safety", "plot_acute_effects")])
def test_no_label_collides_with_another_or_with_the_time_mark_in_any_frame(data, stem, function, layout):
    """The central chart and the acute-effects chart, in every frame their explorers show and in every layout (page,
    talk, phone): no two texts overlap, and the time mark never runs through a label."""
    from ketamine_explainer.charts.kit import narrow_layout

    from .explorers import explore_calls

    calls = [c for c in explore_calls(stem, data) if c.chart.__name__ == function]
    assert calls, f"{stem} explores {function}"
    problems, frames = [], 0
    for call in calls:
        for keywords, marks in _every_frame(call, data):
            if layout == "narrow":
                with narrow_layout():
                    chart = call.chart(data, **keywords, talk=False)
            else:
                chart = call.chart(data, **keywords, talk=layout == "talk")
            chart.figure.draw_without_rendering()
            problems += [f"{keywords}: {p}" for p in _collisions(chart.figure)]
            marker = call.chart.spec.marker
            for value in marks:
                ax = chart.parts["ax"]
                before = set(ax.lines) | set(ax.texts) | set(chart.figure.texts)
                with chart._drawing():
                    marker(chart, value)
                added = [a for a in [*ax.lines, *ax.texts, *chart.figure.texts] if a not in before]
                lines = [a for a in added if isinstance(a, matplotlib.lines.Line2D) and len(set(a.get_xdata())) == 1
                         and len(a.get_xdata()) == 2]
                problems += [f"{keywords}, mark at {value}: {p}" for p in _collisions(chart.figure, lines)]
                for artist in added:
                    artist.remove()
                frames += 1
    assert frames >= 7
    assert problems == []


@hypothesis.given(wanted=st.lists(st.floats(-50, 150, allow_nan=False), min_size=0, max_size=8),
                  gap=st.floats(0.5, 12))
def test_names_spread_apart_keep_their_order_their_gap_and_the_bounds(wanted, gap):
    """Property of the names' placement beside the central chart: whatever the lines' end heights, the names keep
    the lines' order, at least ``gap`` apart, inside the bounds when they fit, and a lone name sits where it was
    wanted (clamped to the bounds)."""
    from ketamine_explainer.charts.kit import spread

    low, high = 0.0, 100.0
    placed = spread(wanted, gap, low, high)
    assert len(placed) == len(wanted)
    order = sorted(range(len(wanted)), key=lambda k: wanted[k])
    ys = [placed[k] for k in order]
    assert all(b - a >= gap - 1e-6 for a, b in zip(ys, ys[1:])), "names overlap or swap order"
    if (len(wanted) - 1) * gap <= high - low:
        assert all(low - 1e-6 <= y <= high + 1e-6 for y in ys), "a name left the axes' height"
    if len(wanted) == 1:
        assert placed[0] == min(max(wanted[0], low), high)
