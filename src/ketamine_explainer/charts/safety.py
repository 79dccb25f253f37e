"""How much ketamine, and what it does in the hours after: the plasma curve, acute effects against the monitoring
window, reported side effects and dose ranges by use."""

from __future__ import annotations

from typing import Annotated

import matplotlib.colors
import numpy as np
from matplotlib.lines import Line2D

from .. import models
from ..data import Dataset
from ..style import GREY, OKABE_ITO, TREATMENT_STYLE, house_style
from ..units import format_minutes
from .kit import (
    WIDE_TALK_SCALE,
    Chart,
    Vary,
    Within,
    chart,
    footnote,
    is_narrow,
    keep_inside,
    main_axes,
    new_figure,
    pick,
    resolve_talk,
    time_line,
    title,
    wrap,
)

PLASMA_END, ACUTE_END = 480, 270  # minutes shown
WHITE_BOX = {"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": "none", "alpha": 0.9}  # lines pass behind


def mark_plasma(chart: Chart, at_minutes: Annotated[float, Vary("Time after the start of the infusion", "minutes and hours",
                                                                 "slider", format_minutes, start=40,
                                                                 within=Within(0, PLASMA_END, "minutes", format_minutes, "40 or 90"))]) -> str:
    """Mark a time on the plasma curve with the model's value there; returns the sentence for the alt text."""
    model, dose, infusion = chart.parts["model"]
    ax = chart.parts["ax"]
    value = float(models.plasma_concentration(model, [at_minutes], dose, infusion)[0])
    ax.axvline(at_minutes, color=GREY, linewidth=1.5)
    ax.plot(at_minutes, value, marker="o", markersize=12, color=TREATMENT_STYLE["iv_single"].color, markerfacecolor="white",
            markeredgewidth=2.5)
    right, text = at_minutes > 300, f"{format_minutes(at_minutes)}: ≈{value:.0f} ng/mL\n(illustrative model)"
    if is_narrow():  # no room beside the point: in the empty stretch between the two upper bands, over the line
        note = ax.annotate(text, (at_minutes, 550), ha="center", va="center", xytext=(0, 0), textcoords="offset points",
                           fontweight="bold", bbox=WHITE_BOX)
    else:
        note = ax.annotate(text, (at_minutes, value), xytext=(-8 if right else 8, 10), textcoords="offset points",
                           fontweight="bold", ha="right" if right else "left")
    keep_inside(note, ax)
    return f"At {format_minutes(at_minutes)} the illustrative model gives about {value:.0f} ng/mL (a model value, not a measurement)."


#: Each band is told apart by more than its tint, so two overlapping ranges never look like the grey anaesthesia band:
#: analgesia a green fill, dissociation purple hatching with no fill, anaesthesia dark cross-hatching; all with edges.
BANDS = ((OKABE_ITO["bluish_green"], 0.22, ""), (OKABE_ITO["vermillion"], 0.0, ""),
         (OKABE_ITO["reddish_purple"], 0.0, "////"), (OKABE_ITO["black"], 0.12, "xx"))


@chart("Illustrative plasma curve", marker=mark_plasma)
def plot_plasma(data: Dataset, talk: bool | None = None) -> Chart:
    """Illustrative plasma curve of the research infusion against reported levels for other uses."""
    talk = resolve_talk(talk)
    model, dose, infusion = models.pk_model(data)
    minutes = np.linspace(0, PLASMA_END, PLASMA_END + 1)
    conc = models.plasma_concentration(model, minutes, dose, infusion)
    with house_style(talk):
        figure = new_figure(10.0, 5.6, talk_scale=WIDE_TALK_SCALE, narrow_height=7.4)
        ax = main_axes(figure, (0.1, 0.14, 0.54, 0.74))
        handles = [Line2D([], [], color=TREATMENT_STYLE["iv_single"].color, label="illustrative model\n(not for dosing)")]
        for level, (color, fill, hatch) in zip(data.plasma_levels, BANDS):
            label = f"{level.use}: {level.low_ng_ml:g}" + (f"-{level.high_ng_ml:g}" if level.high_ng_ml > level.low_ng_ml else "") + " ng/mL"
            if level.high_ng_ml > level.low_ng_ml:
                handles.append(ax.axhspan(level.low_ng_ml, level.high_ng_ml, facecolor=matplotlib.colors.to_rgba(color, fill),
                                          hatch=hatch, edgecolor=matplotlib.colors.to_rgba(color, 0.7), linewidth=1.2, label=label))
            else:
                handles.append(ax.axhline(level.low_ng_ml, color=color, linestyle="--", linewidth=2, label=label))
        ax.plot(minutes, conc, color=TREATMENT_STYLE["iv_single"].color)
        ax.axvspan(0, infusion, color="#F3F3F3", zorder=0)
        if not is_narrow():  # narrow: too little room beside the rising curve; the axis label says what is shaded
            ax.annotate("infusion", (infusion / 2, 12), ha="center", color=GREY, fontsize="small")
        ax.set_yscale("log")
        ax.set_ylim(10, 3000)
        ax.set_xlim(0, PLASMA_END)
        ax.set_xticks(np.arange(0, PLASMA_END + 1, 60), [f"{h}" for h in range(9)])
        ax.set_xlabel(pick("Hours after the start of the infusion",
                           wrap(f"Hours after the start of the {infusion:g}-minute infusion (shaded)", 34)))
        ax.set_ylabel("Plasma ketamine (ng/mL, log scale)")
        title(ax, "Illustrative plasma curve: far below anaesthetic levels")
        if is_narrow():
            figure.legend(handles=handles, loc="outside lower left", fontsize="small", title="Reported peak levels")
        else:
            figure.legend(handles=handles, loc="center left", bbox_to_anchor=(0.64, 0.5), fontsize="small",
                          title="Reported peak levels")
    window = int(next(r.minutes for r in data.acute_effects if (r.effect, r.event) == ("Monitoring", "window")))
    alt = (f"Line chart, log scale, of an illustrative two-compartment model of plasma ketamine over {format_minutes(PLASMA_END)} "
           f"after {data.pk('dose_per_kg').value:g} mg/kg over {infusion:g} minutes: peak about {conc.max():.0f} ng/mL at "
           f"{infusion:g} minutes, about {conc[window]:.0f} ng/mL at {format_minutes(window)} and {conc[PLASMA_END]:.0f} at "
           f"{format_minutes(PLASMA_END)}. Reported ranges: "
           + "; ".join(f"{lv.use} {_range(lv.low_ng_ml, lv.high_ng_ml)} ng/mL" for lv in data.plasma_levels) + ".")
    return Chart(figure, alt, {"ax": ax, "model": (model, dose, infusion)}, talk)


def _range(low: float, high: float) -> str:
    """'70-160', or one value where a source gives one ('185', not '185-185')."""
    return f"{low:g}" if low == high else f"{low:g}-{high:g}"


def mark_acute(chart: Chart, at_minutes: Annotated[float, Vary("Time after the start of a dose", "minutes and hours",
                                                                "slider", format_minutes, start=40,
                                                                within=Within(0, ACUTE_END, "minutes", format_minutes, "40 or 90"))]) -> str:
    """Mark a time after the dose and say whether it is inside the monitoring window; returns the alt sentence."""
    ax, window, bp_end = chart.parts["ax"], chart.parts["window"], chart.parts["bp_end"]
    where = "inside the monitoring window" if at_minutes <= window else "after the monitoring window"
    if window < at_minutes <= bp_end:
        where += "; esketamine's blood pressure may still be raised"
    # On a white box, so the curves passing behind it never run through its words.
    text = ";\n".join(wrap(part, 20) for part in f"{format_minutes(at_minutes)}: {where}".split("; "))
    if is_narrow():  # no room beside the line: at the right, where the curves have returned to baseline
        note = ax.annotate(text, (ACUTE_END, 0.75), xytext=(-4, 0), textcoords="offset points", fontweight="bold",
                           ha="right", va="center", fontsize="small", bbox=WHITE_BOX)
    else:
        left = at_minutes < 170
        note = ax.annotate(text, (at_minutes, 0.55), xytext=(6 if left else -6, 0), textcoords="offset points",
                           fontweight="bold", ha="left" if left else "right", bbox=WHITE_BOX)
    keep_inside(note, ax)
    time_line(ax, at_minutes, color=GREY, linewidth=2)  # after the note: it stops short of every label it would cross
    return f"Marked at {format_minutes(at_minutes)}, {where}."


@chart("Acute effects after a dose", marker=mark_acute)
def plot_acute_effects(data: Dataset, talk: bool | None = None) -> Chart:
    """Acute effects over the hours after a dose against the 2-hour monitoring window."""
    rows, talk = {(r.effect, r.event): r for r in data.acute_effects}, resolve_talk(talk)
    window = rows[("Monitoring", "window")].minutes
    bp_start, bp_end = rows[("Esketamine blood pressure", "peak")].minutes, rows[("Esketamine blood pressure", "resolved")].minutes
    infusion = data.pk("infusion_minutes").value
    with house_style(talk):
        figure = new_figure(10.0, 5.4, talk_scale=WIDE_TALK_SCALE, narrow_height=6.6)
        ax = main_axes(figure, (0.12, 0.24, 0.86, 0.64))
        ax.axvspan(0, window, color="#EAF4EA", zorder=0)
        ax.annotate(wrap(f"esketamine REMS: monitoring for at least {window / 60:g} hours", 30), (3, pick(1.17, 1.12)),
                    ha="left", va=pick("baseline", "bottom"), color=OKABE_ITO["bluish_green"], fontweight="bold")
        label = (f"esketamine (label): blood pressure peaks about {format_minutes(bp_start)}, "
                 f"lasts about {format_minutes(bp_end)}")
        ax.plot([bp_start, bp_end], [0.32, 0.32], color=OKABE_ITO["orange"], linewidth=6, solid_capstyle="butt",
                label=wrap(label, 40) if is_narrow() else None)  # narrow: named in the legend, clear of the curves
        if not is_narrow():
            ax.annotate(label, (bp_end, 0.32), xytext=(-4, 8), textcoords="offset points", ha="right", color=GREY,
                        fontsize="small", bbox=WHITE_BOX)  # the curves pass behind its words, not through them
        _acute_curves(ax, rows)
        ax.set_xlim(0, ACUTE_END)
        ax.set_ylim(0, pick(1.3, 1.5))
        if is_narrow():
            ax.set_xticks(np.arange(0, 241, 60), ["0", "1 h", "2 h", "3 h", "4 h"])
        else:
            ax.set_xticks(np.arange(0, 241, 30), ["0", "30 min", "1 h", "1.5 h", "2 h", "2.5 h", "3 h", "3.5 h", "4 h"])
        ax.set_yticks([0, 1], ["baseline", "peak"])
        ax.set_xlabel("Time after the start of a dose")
        ax.set_ylabel("Relative size of the effect")
        title(ax, "Acute effects after a dose")
        if is_narrow():
            figure.legend(loc="outside lower left", fontsize="small")
        else:
            figure.legend(loc="lower left", bbox_to_anchor=(0, 0), ncols=2, fontsize="small")
    diss, bp, bpr = rows[("Dissociation", "peak")], rows[("Blood pressure", "peak")], rows[("Blood pressure", "resolved")]
    alt = (f"Line chart of the relative size of acute effects over {format_minutes(ACUTE_END)} after a dose. After a "
           f"{infusion:g}-minute IV ketamine infusion, dissociation peaks at {diss.minutes:g} minutes and is near baseline by "
           f"{rows[('Dissociation', 'resolved')].minutes:g} minutes; blood pressure peaks at {bp.minutes:g} minutes "
           f"(mean +{bp.value:g} mmHg systolic, in one clinic's records) and is back to baseline by {bpr.minutes:g} minutes. "
           f"For esketamine nasal spray the label says the blood-pressure rise peaks about {format_minutes(bp_start)} after "
           f"dosing and lasts about {format_minutes(bp_end)}, beyond the first {window:g} minutes, shaded as the monitoring "
           "window its REMS requires. "
           "Curve shapes are illustrative.")
    return Chart(figure, alt, {"ax": ax, "window": window, "bp_end": bp_end}, talk)


def _acute_curves(ax, rows) -> None:
    """Dissociation and blood pressure: an illustrative shape through each reported peak and return to baseline."""
    minutes = np.linspace(0, ACUTE_END, 541)
    for effect, color, linestyle, marker in (("Dissociation", OKABE_ITO["reddish_purple"], "-", "o"),
                                             ("Blood pressure", OKABE_ITO["vermillion"], "--", "s")):
        peak, resolved = rows[(effect, "peak")], rows[(effect, "resolved")]
        ax.plot(minutes, models.acute_effect_curve(peak.minutes, resolved.minutes, minutes), color=color, linestyle=linestyle,
                label=f"IV ketamine, {effect.lower()} (illustrative shape)")
        ax.plot([peak.minutes, resolved.minutes], [1, 0], linestyle="none", marker=marker, color=color, markersize=11,
                label=f"IV ketamine, {effect.lower()}:\nreported peak and return to baseline")
    bp = rows[("Blood pressure", "peak")]
    note = pick(f"IV ketamine, one clinic: mean rise +{bp.value:g} {bp.unit}", f"IV ketamine, one clinic: +{bp.value:g} mmHg")
    ax.annotate(note, (bp.minutes, 1), xytext=(6, 9), textcoords="offset points", va="bottom",  # above both peak markers
                color=OKABE_ITO["vermillion"], fontsize="small", bbox=WHITE_BOX)


NO_PLACEBO_NOTE = "Placebo rates are not shown: they could not be confirmed from the label here."
CATEGORIES = {None: "All listed effects", "Perception": "Perception", "Body": "Body", "Mood and alertness": "Mood and alertness"}


@chart("Adverse effects against placebo")
def plot_side_effects(data: Dataset, drug: str = "esketamine",
                      category: Annotated[str | None, Vary("Adverse effects shown", "", "dropdown", CATEGORIES)] = None,
                      talk: bool | None = None) -> Chart:
    """Adverse-effect rates on a drug, against placebo where the source gives it."""
    rows = [r for r in data.side_effects if r.drug == drug and (category is None or r.category == category)]
    if not rows:
        raise ValueError(f"no side-effect rows for drug={drug!r}, category={category!r}")
    rows.sort(key=lambda r: r.active_pct, reverse=True)
    has_placebo, talk = all(r.placebo_pct is not None for r in rows), resolve_talk(talk)
    scope = category.lower() if category else "all listed effects"
    with house_style(talk):
        # At least 4.4 inches, so a short list still fills a 16:9 slide's height; margins in fractions of it.
        inches = max(1.6 + 0.42 * len(rows) + (0.3 if has_placebo else 0), 4.4)
        figure = new_figure(10.0, inches, narrow_height=max(2.2 + 0.55 * len(rows) + (0.4 if has_placebo else 0), 4.0))
        ax = main_axes(figure, (0.3, 0.9 / inches + 0.05, 0.66, 1 - 1.6 / inches))
        y, height = np.arange(len(rows)), 0.4 if has_placebo else 0.7
        bars = ax.barh(y - (height / 2 if has_placebo else 0), [r.active_pct for r in rows], height=height,
                       color=OKABE_ITO["orange"], label=drug)
        ax.bar_label(bars, labels=[f"{r.active_pct:g}%" for r in rows], padding=3, fontsize="small")
        if has_placebo:
            pbars = ax.barh(y + height / 2, [r.placebo_pct for r in rows], height=height, color=GREY, hatch="//",
                            edgecolor="white", label="placebo")
            ax.bar_label(pbars, labels=[f"{r.placebo_pct:g}%" for r in rows], padding=3, fontsize="small")
            ax.legend(loc="lower right")
        else:
            footnote(figure, NO_PLACEBO_NOTE)
        ax.set_yticks(y, [wrap(r.effect, 14) for r in rows])
        ax.invert_yaxis()
        ax.set_xlim(0, max(r.active_pct for r in rows) * 1.2)
        ax.grid(axis="y", visible=False)
        ax.set_xlabel("Patients reporting the effect (%)")
        title(ax, f"Side effects of {drug}: {scope}")
    if has_placebo:
        listed = "; ".join(f"{r.effect} {r.active_pct:g}% vs {r.placebo_pct:g}%" for r in rows)
        alt = f"Paired horizontal bars of side effects reported on {drug} against placebo, {scope}: {listed}."
    else:
        listed = "; ".join(f"{r.effect} {r.active_pct:g}%" for r in rows)
        alt = f"Horizontal bars of side effects reported on {drug} in depression trials: {listed}. {NO_PLACEBO_NOTE}"
    return Chart(figure, alt, talk=talk)


@chart("Research doses sit below anaesthetic doses")
def plot_dose_levels(data: Dataset, talk: bool | None = None) -> Chart:
    """Reported dose ranges by use on a log scale (a comparison, not a dosing guide)."""
    rows, talk = sorted(data.dose_levels, key=lambda r: r.low_mg_kg), resolve_talk(talk)
    colors = [OKABE_ITO["bluish_green"], TREATMENT_STYLE["iv_single"].color, OKABE_ITO["black"]]
    with house_style(talk):
        figure = new_figure(10.0, 4.4, narrow_height=5.2)  # tall enough to fill a 16:9 slide
        ax = main_axes(figure, (0.3, 0.26, 0.66, 0.58))
        for row, (level, color) in enumerate(zip(rows, colors)):
            if level.high_mg_kg > level.low_mg_kg:
                ax.plot([level.low_mg_kg, level.high_mg_kg], [row, row], color=color, linewidth=10, solid_capstyle="butt")
                text = f"{level.low_mg_kg:g}-{level.high_mg_kg:g} mg/kg"
            else:
                ax.plot(level.low_mg_kg, row, marker="o", markersize=13, color=color)
                text = f"{level.low_mg_kg:g} mg/kg"
            if is_narrow():  # the use, its route and its dose above its row, across the whole width
                ax.annotate(wrap(f"{level.use} ({level.route}): {text}", 44), (0.1, row - 0.22), xytext=(2, 0),
                            textcoords="offset points", va="bottom")
            else:
                ax.annotate(text, (level.high_mg_kg, row), xytext=(10, 0), textcoords="offset points", va="center")
        if is_narrow():
            ax.set_yticks([])
        else:
            ax.set_yticks(range(len(rows)), [f"{r.use}\n({r.route})" for r in rows])
        ax.set_ylim(len(rows) - 0.5, pick(-0.5, -1.0))
        ax.set_xscale("log")
        ax.set_xlim(0.1, 12)
        ax.set_xticks([0.1, 0.5, 1, 2, 5, 10], ["0.1", "0.5", "1", "2", "5", "10"])
        ax.minorticks_off()
        ax.grid(axis="y", visible=False)
        ax.set_xlabel(wrap("Reported dose (mg per kg, log scale): a comparison, not a dosing guide", 36),
                      loc=pick("right", "center"))
        title(ax, "Research doses sit below anaesthetic doses")
    alt = ("Range chart on a log scale of reported ketamine doses by use: "
           + "; ".join(f"{r.use} {r.low_mg_kg:g}" + (f" to {r.high_mg_kg:g}" if r.high_mg_kg > r.low_mg_kg else "") + " mg/kg"
                       for r in rows)
           + ". The antidepressant research dose is 2 to 9 times lower than the anaesthetic induction range.")
    return Chart(figure, alt, talk=talk)
