"""The context around ketamine: who has depression, what sequential treatment achieved in STAR*D, ketamine's
history, and the proposed mechanism."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from matplotlib.lines import Line2D

from .. import models
from ..data import Dataset
from ..style import GREY, OKABE_ITO, house_style
from ..units import format_days
from .kit import LAST, WIDE_TALK_SCALE, Chart, Vary, chart, is_narrow, is_talk, main_axes, new_figure, pick, resolve_talk, title, wrap

PREVALENCE_VIEWS = {
    "world_sex": ("world", "sex", "Worldwide, by sex (WHO)", "All adults"),
    "world_age": ("world", "age", "Worldwide, by age (WHO)", "Whole population"),
    "us_sex": ("us", "sex", "United States 2021, by sex (NIMH)", "All adults"),
    "us_age": ("us", "age", "United States 2021, by age (NIMH)", "All adults"),
}


@chart("Who is affected by depression?")
def plot_prevalence(data: Dataset,
                    view: Annotated[str, Vary("Group people", "", "dropdown", lambda v: PREVALENCE_VIEWS[v][2])] = "world_sex",
                    talk: bool | None = None) -> Chart:
    """Share of each group with depression, against the whole group's share ('if it were equal')."""
    if view not in PREVALENCE_VIEWS:
        raise ValueError(f"view must be one of {', '.join(PREVALENCE_VIEWS)}")
    scope, grouping, heading, reference = PREVALENCE_VIEWS[view]
    rows, talk = [r for r in data.prevalence if r.scope == scope and r.grouping == grouping], resolve_talk(talk)
    overall = next(r for r in rows if r.group == reference)
    with house_style(talk):
        figure = new_figure(10.0, 4.8, narrow_height=4.6)
        ax = main_axes(figure, (0.25, 0.2, 0.7, 0.66))
        colors = [GREY if r is overall else OKABE_ITO["blue"] for r in rows]
        bars = ax.barh([r.group for r in rows], [r.value_pct for r in rows], color=colors,
                       hatch=[("//" if r is overall else "") for r in rows], edgecolor="white")
        ax.bar_label(bars, labels=[f"{r.value_pct:g}%" for r in rows], padding=4)
        ax.axvline(overall.value_pct, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=2)
        ax.annotate(pick("dashed line: if every group\nwere affected equally", "dashed line: if\nevery group were\naffected equally"),
                    (overall.value_pct, -0.55), xytext=(6, 0),
                    textcoords="offset points", color=OKABE_ITO["vermillion"], va="bottom", fontsize="small")
        ax.set_ylim(len(rows) - 0.5, -1.1)
        ax.set_xlim(0, max(r.value_pct for r in rows) * 1.3)
        ax.set_xlabel(wrap(f"{overall.measure} (%)", 30))
        ax.grid(axis="y", visible=False)
        title(ax, heading)
    values = "; ".join(f"{r.group} {r.value_pct:g}%" for r in rows)
    alt = (f"Horizontal bar chart, {heading}: {overall.measure.lower()} by group. {values}. "
           f"A dashed line at {overall.value_pct:g}% marks what equal rates would look like; the groups differ from it.")
    return Chart(figure, alt, talk=talk)


@chart("Sequential treatment steps in STAR*D")
def plot_stard(data: Dataset,
               steps: Annotated[int, Vary("Treatment steps tried", "number", "slider",
                                          lambda n: f"{n} step{'s' if n > 1 else ''}")] = 4,
               weeks_per_step: Annotated[int, Vary("Length of each step", "weeks", "toggle", lambda w: f"{w} weeks")] = 12,
               talk: bool | None = None) -> Chart:
    """STAR*D: remission at each step, the cumulative figure it implies, and the weeks it takes."""
    rates = [r.value_pct for r in sorted((r for r in data.stard if r.measure == "step_remission"), key=lambda r: r.step)]
    if not 1 <= steps <= len(rates):
        raise ValueError(f"steps must be between 1 and {len(rates)}")
    if weeks_per_step <= 0:
        raise ValueError("weeks_per_step must be positive")
    reported = next(r for r in data.stard if r.measure == "cumulative_reported")
    reanalysis = next(r for r in data.stard if r.measure == "cumulative_reanalysis")
    cumulative, talk = models.cumulative_remission(rates[:steps]), resolve_talk(talk)
    ends = np.arange(1, steps + 1) * weeks_per_step
    with house_style(talk):
        figure = new_figure(10.0, 5.4, narrow_height=6.6)
        ax = main_axes(figure, (0.08, 0.24, 0.9, 0.64))
        bars = ax.bar(ends - weeks_per_step / 2, rates[:steps], width=weeks_per_step * 0.8, color=OKABE_ITO["sky_blue"],
                      label=wrap("remitted at this step (% of those who entered it)", 44))
        # Inside the bars on a white box drawn over the lines, so no value label collides with the reanalysis line or the
        # cumulative curve.
        ax.bar_label(bars, labels=[f"{r:g}%" for r in rates[:steps]], label_type="center", fontfamily="DejaVu Sans", zorder=5,
                     fontsize=pick("medium", "small"),
                     bbox={"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none", "alpha": 0.95})
        ax.plot(np.concatenate([[0], ends]), np.concatenate([[0], cumulative]), color=OKABE_ITO["blue"], marker="o",
                label=wrap(f"cumulative, if nobody dropped out (how {reported.value_pct:g}% was reached)", 44))
        ax.axhline(reanalysis.value_pct, color=OKABE_ITO["vermillion"], linestyle="--", linewidth=2,
                   label=wrap(f"cumulative on reanalysis: about {reanalysis.value_pct:g}% "
                              f"({data.source(reanalysis.source_id).short})", 44))
        ax.set_xlim(0, max(4 * 14, steps * weeks_per_step))
        ax.set_ylim(0, 100)
        ax.set_xticks(np.arange(0, ax.get_xlim()[1] + 1, pick(8, 16)))
        ax.set_xlabel(wrap(f"Weeks of treatment ({weeks_per_step} weeks per step, an assumption for illustration)", 36))
        ax.set_ylabel("Patients remitting (%)")
        title(ax, f"{steps} treatment step{'s' if steps > 1 else ''}: up to {steps * weeks_per_step} weeks")
        if is_narrow():
            figure.legend(loc="outside lower left", fontsize="small")
        else:
            ax.legend(loc="upper left", fontsize="small")
    alt = (f"Bar and line chart of STAR*D remission over {steps} sequential step(s) of {weeks_per_step} weeks each, "
           f"{steps * weeks_per_step} weeks in all. Remission at each step: {', '.join(f'{r:g}%' for r in rates[:steps])}. "
           f"Cumulative if nobody dropped out: {cumulative[-1]:.0f}% (reported {reported.value_pct:g}% after 4 steps); "
           f"a reanalysis found about {reanalysis.value_pct:g}%.")
    return Chart(figure, alt, talk=talk)


CATEGORY_STYLE = {
    "Anaesthesia": (OKABE_ITO["sky_blue"], "o"),
    "Regulation": (OKABE_ITO["black"], "s"),
    "Depression research": (OKABE_ITO["vermillion"], "D"),
    "Approval": (OKABE_ITO["orange"], "^"),
}


@chart("Ketamine's history, 1962 to 2025")
def plot_timeline(data: Dataset, up_to_year: Annotated[int, Vary("Show milestones up to", "year", "slider")] = 2025,
                  talk: bool | None = None) -> Chart:
    """Ketamine's history, one row per milestone; milestones after ``up_to_year`` are faded."""
    events, talk = sorted(data.timeline, key=lambda e: (e.year, e.id)), resolve_talk(talk)
    with house_style(talk):
        figure = new_figure(10.0, 6.4, talk_scale=WIDE_TALK_SCALE, narrow_height=10.5)
        ax = main_axes(figure, (0.06, 0.1, 0.92, 0.8))
        for row, event in enumerate(events):
            color, marker = CATEGORY_STYLE[event.category]
            shown = event.year <= up_to_year
            ax.plot(event.year, row, marker=marker, color=color if shown else "#CCCCCC", markersize=11, linestyle="none")
            right, text = event.year < 1995, f"{event.when}: {event.event}"
            if is_narrow():  # under its marker, across the whole width
                ax.annotate(wrap(text, 50), (1958, row), xytext=(0, -9), textcoords="offset points", ha="left", va="top",
                            fontsize="small", color="black" if shown else "#BBBBBB")
            else:
                ax.annotate(text, (event.year, row), xytext=(10 if right else -10, 0), textcoords="offset points",
                            ha="left" if right else "right", va="center", fontsize="small", color="black" if shown else "#BBBBBB")
        ax.axvline(up_to_year + 0.5, color=GREY, linewidth=1.5)
        ax.set_xlim(1958, 2028)
        # wide: two empty rows at the bottom for the legend, clear of the last milestone (narrow: the legend is below)
        ax.set_ylim(len(events) + pick(1.3, 0.2), pick(-0.8, -0.6))
        ax.set_yticks([])
        ax.grid(axis="y", visible=False)
        ax.spines["left"].set_visible(False)
        ax.set_xlabel("Year")
        title(ax, f"From anaesthetic to antidepressant: up to {up_to_year}")
        handles = [Line2D([], [], color=c, marker=m, linestyle="none", label=k) for k, (c, m) in CATEGORY_STYLE.items()]
        if is_narrow():
            figure.legend(handles=handles, loc="outside lower left", ncols=2, fontsize="small")
        else:
            ax.legend(handles=handles, loc="lower left", ncols=2, fontsize="small")
    shown = [e for e in events if e.year <= up_to_year]
    alt = (f"Timeline from 1962 to 2025 with {len(events)} milestones, {len(shown)} of them up to {up_to_year}: "
           + "; ".join(f"{e.when} {e.event}" for e in shown) + ".")
    return Chart(figure, alt, talk=talk)


EVIDENCE_STYLE = {
    "human": (OKABE_ITO["blue"], "o", "shown in humans"),
    "human_indirect": (OKABE_ITO["sky_blue"], "^", "in humans: indirect or mixed"),
    "animal": (OKABE_ITO["orange"], "s", "animal studies only"),
    "debated": (OKABE_ITO["reddish_purple"], "D", "debated"),
}


def step_label(order: int, data: Dataset) -> str:
    """A cascade step as it reads on a control: '1. NMDA receptor block'."""
    return f"{order}. " + next(s.step for s in data.mechanism if s.order == order)


@chart("The proposed cascade")
def plot_cascade(data: Dataset,
                 up_to_step: Annotated[int | None, Vary("Reveal the cascade up to step", "number", "slider",
                                                                    step_label, start=LAST)] = None,
                 talk: bool | None = None) -> Chart:
    """The proposed cascade on a minutes-to-days axis, each step marked by the strength of its evidence."""
    steps, talk = sorted(data.mechanism, key=lambda s: s.order), resolve_talk(talk)
    up_to_step = len(steps) if up_to_step is None else up_to_step
    if not 1 <= up_to_step <= len(steps):
        raise ValueError(f"up_to_step must be between 1 and {len(steps)}")
    first = models.first_effect(data, "iv_single")
    peak = max(models.onset_curve(data, "iv_single").anchors, key=lambda p: p.value_pct)
    with house_style(talk):
        figure = new_figure(10.0, 5.8, narrow_height=6.8)
        ax = main_axes(figure, (0.3, 0.22, 0.66, 0.68))
        ax.axvspan(first.days * 1440, peak.days * 1440, color="#E8F1FA", zorder=0)
        # labelled at the top of the band, clear of the steps (the first ones lie before the band)
        ax.annotate("patients: first effect\nto peak (measured)", (np.sqrt(first.days * peak.days) * 1440, 0.5),
                    ha="center", va="center", fontsize="small", color=OKABE_ITO["blue"])
        _cascade_steps(ax, steps, up_to_step)
        ax.set_ylim(len(steps) - 0.4, -1.5)
        ax.set_xscale("log")
        ax.set_xlim(2, 3 * 1440)
        ticks = pick([5, 30, 60, 240, 1440], [5, 60, 1440])
        ax.set_xticks(ticks, [{5: "5 min", 30: "30 min", 60: "1 h", 240: "4 h", 1440: "1 day"}[t] for t in ticks])
        ax.minorticks_off()
        ax.set_xlabel(wrap("Time after the dose (step positions are illustrative: order, not measured times)", 30),
                      loc=pick("right", "center"))
        title(ax, "The proposed cascade, step by step")
        handles = [Line2D([], [], color=c, marker=m, linestyle="none", markerfacecolor=c if k != "debated" else "white",
                          markeredgewidth=2, label=lab) for k, (c, m, lab) in EVIDENCE_STYLE.items()]
        if is_narrow():
            figure.legend(handles=handles, loc="outside lower left")
        else:
            figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.0, 0.0), ncols=2 if is_talk() else 4,
                          columnspacing=1.2)
    shown = [s for s in steps if s.order <= up_to_step]
    alt = (f"Dot chart of {len(steps)} proposed steps of ketamine's action on a time axis from minutes to a day; "
           f"{len(shown)} shown: " + "; ".join(f"{s.step} ({EVIDENCE_STYLE[s.evidence][2]})" for s in shown)
           + f". A shaded band marks when patients first improve ({format_days(first.days)}) to the peak ({format_days(peak.days)}).")
    return Chart(figure, alt, talk=talk)


def _cascade_steps(ax, steps, up_to_step: int) -> None:
    """One row per step, its marker by evidence; steps after ``up_to_step`` greyed out."""
    for row, step in enumerate(steps):
        color, marker, _ = EVIDENCE_STYLE[step.evidence]
        shown = step.order <= up_to_step
        ax.plot(step.minutes_illustrative, row, marker=marker, markersize=13, linestyle="none",
                color=color if shown else "#DDDDDD", markerfacecolor=(color if shown and step.evidence != "debated" else "white"),
                markeredgewidth=2.5)
    ax.set_yticks(range(len(steps)), [wrap(s.step, 16) for s in steps])
    for label, step in zip(ax.get_yticklabels(), steps):
        label.set_color("black" if step.order <= up_to_step else "#BBBBBB")
