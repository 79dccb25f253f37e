"""``kx.explore(chart, data, name=[values, ...])``: a chart with controls, stated in the notebook cell; every frame drawn.

In the style of ``ipywidgets.interactive``: each keyword given a list (or a dict of label: value, or a range) becomes
a control with those options; any other keyword is passed to the chart unchanged. The chart declares next to each
parameter how it reads as a control (see :class:`~ketamine_explainer.charts.Vary`). Every combination is drawn up
front (see :mod:`ketamine_explainer.views` for why); a chart with a marker (a time mark) is drawn once per
combination of its other controls, and each mark as a transparent layer of that same figure.
"""

from __future__ import annotations

import inspect
import itertools
import math
import os
import pickle
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import workers
from .charts.kit import LAST, check_value
from .style import live_session, narrow_too, narrow_wanted
from .views import Control, Explorer

#: At most this many frames per explorer: each is a picture stored in the notebook and in every page made from it.
MAX_FRAMES = 64
#: Parameters a chart takes that are not for a learner to set (the medium is the explainer's own setting).
INTERNAL = frozenset({"talk"})
#: Base combinations left to draw from which starting the workers pays: starting them imports the charts afresh
#: (about 1.5 s of one core), and a combination takes 0.25-1.4 s to draw here (measured: 01's four combinations and
#: 07's two are done here sooner than the workers start).
WORKERS_FROM = 6
FRAME_KB = 40  # a frame in a page (two PNGs, wide and narrow, in base64): a little above the mean of the notebooks' 31 KB


@dataclass(frozen=True)
class Job:
    """What to draw: a ``@chart`` function, its data, its fixed keywords and its controls (the marker's last)."""

    chart: Callable
    data: Any
    fixed: dict[str, Any]
    controls: tuple[Control, ...]
    narrow: bool = True  # each frame also in its narrow layout (for the stored notebooks and the exported pages)

    @property
    def marker(self) -> Control | None:
        name = self.chart.spec.marker_name
        return next((c for c in self.controls if c.name == name), None)

    @property
    def base_controls(self) -> tuple[Control, ...]:
        return tuple(c for c in self.controls if c is not self.marker)

    def base_combos(self) -> list[tuple[int, ...]]:
        return list(itertools.product(*(range(len(c.options)) for c in self.base_controls)))

    def frame_count(self) -> int:
        bases = math.prod(len(c.options) for c in self.base_controls)
        return bases * (1 + (len(self.marker.options) if self.marker else 0))

    def draw(self, base: tuple[int, ...]) -> list[tuple[str, str]]:
        """The frames of one combination of the base controls, as (html, alt): the chart, then each mark's layer.

        On a page (not in talk mode) each frame also carries its narrow layout, drawn the same way."""
        return list(self.draw_stepwise(base))

    def draw_stepwise(self, base: tuple[int, ...], first_mark: int | None = None) -> Iterator[tuple[str, str]]:
        """The frames of :meth:`draw`, one at a time; with ``first_mark``, that mark's layer comes right after the
        chart (so a learner sees the chart as it starts, while the other marks are drawn) and the rest keep their order."""
        values = {c.name: c.options[i][1] for c, i in zip(self.base_controls, base)}
        marks = list(enumerate(self.marker.options if self.marker is not None else ()))
        if first_mark is not None:
            marks.sort(key=lambda pair: pair[0] != first_mark)
        chart = None
        try:
            with narrow_too(self.narrow):
                chart = self.chart(self.data, **self.fixed, **values)  # with its narrow layout, on a page
            frame = chart.frame()
            yield frame.html(), frame.alt
            for _, (_, value) in marks:
                frame = chart.layer(self.chart.spec.marker, value)
                yield frame.html(), frame.alt
        except StopIteration as exc:  # would silently end a worker's batch early
            raise RuntimeError(f"drawing {values} found no matching row ({exc!r})") from exc
        finally:
            for drawn in (chart, chart and chart.narrow):
                if drawn is not None:
                    drawn.figure.clear()


def varies(value) -> bool:
    """True for the values ``explore`` turns into a control (a list, a range, or a dict of label: value)."""
    return isinstance(value, (list, range, Mapping))


def explore(chart: Callable, data, *, title: str | None = None, **options) -> Explorer:
    """Controls over ``chart``: each keyword with a list, range or dict of values varies; the others are fixed.

    >>> kx.explore(kx.charts.plot_stard, data, steps=[1, 2, 3, 4], weeks_per_step=[8, 12, 14])  # doctest: +SKIP
    """
    spec = getattr(chart, "spec", None)
    if spec is None:
        raise TypeError(f"{getattr(chart, '__name__', chart)!r} is not a chart: use a function from kx.charts")
    accepted = [name for name in inspect.signature(spec.draw).parameters if name not in INTERNAL]
    accepted = [*accepted[1:], *([spec.marker_name] if spec.marker_name else [])]
    fixed, controls = {}, []
    for name, value in options.items():
        if name not in accepted:
            raise TypeError(f"{chart.__name__} has no parameter {name!r}; you may give {', '.join([*accepted, 'title'])}")
        if varies(value):
            controls.append(_control(chart, data, name, value))
        else:
            check_value(chart.__name__, name, spec.controls, value)
            fixed[name] = value
    if not controls:
        raise ValueError(f"give {chart.__name__} at least one parameter to vary, as a list of values: "
                         f"it can vary {', '.join(spec.controls)}")
    controls.sort(key=lambda c: c.name == spec.marker_name)  # the marker's layer is indexed last
    job = Job(chart, data, fixed, tuple(controls), narrow=narrow_wanted())
    count = job.frame_count()
    if count > MAX_FRAMES:
        raise ValueError(
            f"{chart.__name__}: these options make {count} frames, more than the {MAX_FRAMES} one chart may draw. Every frame "
            f"is a picture stored in the notebook and in each page exported from it (about {count * FRAME_KB / 1000:.1f} MB "
            "here): vary fewer values at once.")
    shown = sorted(controls, key=lambda c: list(options).index(c.name))  # on screen, in the order of the call
    return _render(job, title or spec.title, shown)


def _control(chart: Callable, data, name: str, values) -> Control:
    """A control for parameter ``name`` from its declared wording and the values given (a dict gives the labels too)."""
    spec = chart.spec
    if name not in spec.controls:
        raise ValueError(f"{chart.__name__} cannot vary {name!r}; it can vary {', '.join(spec.controls)}")
    vary, default = spec.controls[name]
    for value in values.values() if isinstance(values, Mapping) else values:
        check_value(chart.__name__, name, spec.controls, value)
    pairs = list(values.items()) if isinstance(values, Mapping) else [(vary.label_of(v, data), v) for v in values]
    labels = [label for label, _ in pairs]
    if len(set(labels)) != len(labels):
        raise ValueError(f"{chart.__name__}: two options of {name!r} read the same ({', '.join(labels)})")
    values = [v for _, v in pairs]
    if vary.start == LAST:
        initial = len(pairs) - 1
    else:
        start = vary.start if vary.start in values else default
        initial = values.index(start) if start in values else 0
    return Control(name, vary.description, pairs, vary.kind, initial=initial)


def _split(drawn: dict[tuple[int, ...], list[tuple[str, str]]]) -> tuple[dict, dict]:
    """Frames by base combination -> (the charts by base combination, the mark layers by full combination)."""
    base = {combo: frames[0] for combo, frames in drawn.items()}
    layers = {(*combo, m): frame for combo, frames in drawn.items() for m, frame in enumerate(frames[1:])}
    return base, layers


def _render(job: Job, title: str, shown: list[Control]) -> Explorer:
    """Every frame, the first combination drawn here while the workers start.

    In a learner's live session (:func:`~ketamine_explainer.style.live_session`) the explorer is shown as soon as its
    first combination is drawn, with its controls off and saying so; the other frames fill in as the workers finish,
    then the controls work and the output is updated with the whole explorer (the state a save keeps)."""
    combos = job.base_combos()
    first = tuple(c.initial for c in job.base_controls)
    rest = [combo for combo in combos if combo != first]
    if len(rest) >= WORKERS_FROM:
        workers.warm_up()  # started now, ready by the time the first frames are drawn here
    live, total = live_session(), job.frame_count()
    if not live or total == 1:
        base, marks = _split({first: job.draw(first)})
        explorer = Explorer(title, shown, base, marks, marker=job.marker)
    else:  # shown as soon as the chart and its first mark are drawn; then the other marks, then the other combinations
        mark = job.marker.initial if job.marker is not None else None
        order = [None] if mark is None else [None, mark, *(m for m in range(len(job.marker.options)) if m != mark)]
        steps = job.draw_stepwise(first, mark)
        drawn = {first if m is None else (*first, m): next(steps) for m in order[:2]}
        explorer = Explorer(title, shown, {first: drawn[first]}, {k: v for k, v in drawn.items() if k != first},
                            marker=job.marker)
        explorer.drawing(len(drawn), total)
        explorer.show()
        for m, frame in zip(order[2:], steps):
            explorer.fill({}, {(*first, m): frame})
            explorer.drawing(len(drawn) + 1 + order[2:].index(m), total)
        steps.close()
        if not rest:
            explorer.drawing(total, total)
            explorer.show(update=True)
            return explorer
    if not rest:
        return explorer
    done = 1 + (len(job.marker.options) if job.marker is not None else 0)
    for combo, frames in zip(rest, drawn_groups(job, rest)):
        explorer.fill(*_split({combo: frames}))
        done += len(frames)
        if live:
            explorer.drawing(done, total)
    if live:
        explorer.show(update=True)
    return explorer


def _draw_task(task: tuple[bytes, bool, tuple[int, ...]]) -> list[tuple[str, str]]:
    """In a worker: the job arrives pickled, with the talk mode of the notebook that sent it."""
    global _LAST
    payload, talk, base = task
    os.environ["KETAMINE_TALK"] = "1" if talk else "0"
    os.environ.pop("JPY_SESSION_NAME", None)  # the job says which layouts to draw
    if _LAST is None or _LAST[0] != payload:
        _LAST = (payload, pickle.loads(payload))
    return _LAST[1].draw(base)


_LAST: tuple[bytes, Job] | None = None  # in a worker: the job last unpickled


def drawn_groups(job: Job, combos: list[tuple[int, ...]]) -> Iterator[list[tuple[str, str]]]:
    """Draw each base combination's frames, yielding them in order as they are done.

    With more than one core (``KETAMINE_WORKERS`` overrides the count) and enough of them (:data:`WORKERS_FROM`,
    or any number once the workers are running) they are drawn by the workers of
    :mod:`ketamine_explainer.workers`, started by a fork server (never forked from this process, whose threads would
    make a fork unsafe); they receive the pickled job and return bytes, so the result is identical to drawing here.
    A chart defined in the notebook itself (``__main__``) cannot be found by a worker and is drawn here.
    """
    from .style import talk_mode

    enough = len(combos) >= WORKERS_FROM or (len(combos) > 1 and workers.running())
    if enough and workers.usable() and job.chart.__module__ != "__main__":
        try:
            payload = pickle.dumps(job)
        except (pickle.PicklingError, AttributeError, TypeError):
            payload = None
        if payload is not None:
            tasks = [(payload, talk_mode(), combo) for combo in combos]
            yield from workers.pool().imap(_draw_task, tasks)
            return
    for combo in combos:
        yield job.draw(combo)


def render_groups(job: Job, combos: list[tuple[int, ...]]) -> list[list[tuple[str, str]]]:
    """Every base combination's frames, in order (see :func:`drawn_groups`)."""
    return list(drawn_groups(job, combos))
