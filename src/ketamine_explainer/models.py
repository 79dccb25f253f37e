"""Pure numerical models behind the charts.

Curves here are *illustrative*: they are drawn through measured points so the eye
can follow a treatment over time, but the values between points are not data.
Charts label them that way; only the points are measurements.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import PchipInterpolator

from .data import Dataset, OnsetPoint


@dataclass(frozen=True)
class OnsetCurve:
    """An illustrative response curve through the anchor points of one treatment."""

    treatment: str
    measure: str
    anchors: tuple[OnsetPoint, ...]

    @property
    def end_days(self) -> float:
        return self.anchors[-1].days

    def __call__(self, days) -> np.ndarray:
        """Percent of patients at ``days`` after the first dose; NaN past the last anchor."""
        days = np.asarray(days, dtype=float)
        if np.any(days < 0):
            raise ValueError("time since the first dose cannot be negative")
        x = np.array([0.0] + [p.days for p in self.anchors])
        y = np.array([0.0] + [p.value_pct for p in self.anchors])
        # Monotone cubic (PCHIP): no overshoot, so a curve never leaves 0-100
        # or invents a peak that the anchors do not have.
        values = PchipInterpolator(x, y, extrapolate=False)(days)
        return np.where(days <= x[-1], values, np.nan)


def onset_curve(data: Dataset, treatment: str) -> OnsetCurve:
    """The illustrative curve for ``treatment``, through its rows marked ``curve=1``."""
    anchors = sorted((p for p in data.onset if p.treatment == treatment and p.curve), key=lambda p: p.days)
    if not anchors:
        raise ValueError(f"no curve anchors for treatment '{treatment}' in onset.csv")
    measures = {p.measure for p in anchors}
    if len(measures) != 1:
        raise ValueError(f"curve anchors of '{treatment}' mix measures: {sorted(measures)}")
    days = [p.days for p in anchors]
    if len(set(days)) != len(days):
        raise ValueError(f"curve anchors of '{treatment}' repeat a time point")
    return OnsetCurve(treatment, measures.pop(), tuple(anchors))


def measured_points(data: Dataset, treatment: str, measures=("response", "remission")) -> list[OnsetPoint]:
    """The measured (not illustrative) points of one treatment's main arm, in time order."""
    return sorted(
        (p for p in data.onset if p.treatment == treatment and p.measured and not p.comparator and p.measure in measures),
        key=lambda p: p.days,
    )


def first_effect(data: Dataset, treatment: str) -> OnsetPoint | None:
    """The earliest reported time at which the treatment's effect was noticeable."""
    rows = [p for p in data.onset if p.treatment == treatment and p.measure == "first_effect"]
    return min(rows, key=lambda p: p.days, default=None)


#: A reading is shown for a moment only within this factor in time of a measured point (of the curve's own measure).
NEAR_FACTOR = 1.2


def onset_reading(data: Dataset, curve: OnsetCurve, days: float) -> OnsetPoint | None:
    """The measured point a reading of ``curve`` at ``days`` may report, or None ("no measurement").

    Only a measured (not illustrative) point of the curve's own measure at, or within :data:`NEAR_FACTOR` in time of,
    ``days`` counts; a point the curve passes through is preferred, then the nearest in time.
    """
    points = measured_points(data, curve.treatment, (curve.measure,))
    near = [p for p in points if max(p.days, days) / min(p.days, days) <= NEAR_FACTOR]
    return min(near, key=lambda p: (not p.curve, abs(np.log(p.days / days))), default=None)


def nearest_measured(data: Dataset, curve: OnsetCurve, days: float) -> OnsetPoint | None:
    """The measured point on ``curve`` nearest in time to ``days`` (however far)."""
    points = [p for p in measured_points(data, curve.treatment, (curve.measure,)) if p.curve]
    return min(points, key=lambda p: abs(np.log(p.days / days)), default=None)


# Pharmacokinetics -------------------------------------------------------------
@dataclass(frozen=True)
class TwoCompartment:
    """Micro-constants of a two-compartment model (per minute, litres)."""

    v1: float
    k10: float
    k12: float
    k21: float

    @property
    def v2(self) -> float:
        return self.v1 * self.k12 / self.k21


def two_compartment_from_half_lives(clearance_l_h, vss_l, half_life_alpha_min, half_life_beta_min) -> TwoCompartment:
    """Solve the micro-constants that give this clearance, steady-state volume and the two half-lives.

    Uses alpha + beta = k10 + k12 + k21, alpha * beta = k10 * k21, k10 = CL / V1 and
    Vss = V1 (1 + k12 / k21); V1 is found by bisection.
    """
    from scipy.optimize import brentq

    cl = clearance_l_h / 60.0
    alpha, beta = np.log(2) / half_life_alpha_min, np.log(2) / half_life_beta_min

    def constants(v1):
        k10 = cl / v1
        k21 = alpha * beta / k10
        return k10, alpha + beta - k10 - k21, k21

    def vss_error(v1):
        k10, k12, k21 = constants(v1)
        return v1 * (1 + k12 / k21) - vss_l

    v1 = brentq(vss_error, cl / alpha * 1.0001, cl / beta * 0.9999)
    k10, k12, k21 = constants(v1)
    if min(k10, k12, k21) <= 0:
        raise ValueError("these parameters have no two-compartment solution")
    return TwoCompartment(v1, k10, k12, k21)


def pk_model(data: Dataset) -> tuple[TwoCompartment, float, float]:
    """The illustrative two-compartment model, the modelled dose (mg) and the infusion length (min) from data."""
    model = two_compartment_from_half_lives(data.pk("clearance").value, data.pk("volume_steady_state").value,
                                            data.pk("half_life_alpha").value, data.pk("half_life_beta").value)
    dose = data.pk("dose_per_kg").value * data.pk("body_weight").value
    return model, dose, data.pk("infusion_minutes").value


def plasma_concentration(model: TwoCompartment, minutes, dose_mg: float, infusion_minutes: float) -> np.ndarray:
    """Central concentration in ng/mL after a constant-rate infusion (exact solution)."""
    t = np.asarray(minutes, dtype=float)
    a = np.array([[-(model.k10 + model.k12), model.k21], [model.k12, -model.k21]])
    rate = dose_mg / infusion_minutes
    eigvals, eigvecs = np.linalg.eig(a)
    inv = np.linalg.inv(eigvecs)

    def propagate(x0, dt, r):
        # x(t) = e^{At} x0 + (e^{At} - I) A^{-1} b r, with b = [1, 0]
        exp = np.real((eigvecs * np.exp(np.outer(dt, eigvals))[:, None, :]) @ inv)
        steady = np.linalg.solve(a, np.array([r, 0.0]))
        return exp @ x0 + (exp - np.eye(2)) @ steady

    during = np.minimum(t, infusion_minutes)
    amounts = propagate(np.zeros(2), during, rate)
    end = propagate(np.zeros(2), np.array([infusion_minutes]), rate)[0]
    after = np.maximum(t - infusion_minutes, 0.0)
    amounts = np.where((t > infusion_minutes)[:, None], propagate(end, after, 0.0), amounts)
    return amounts[:, 0] / model.v1 * 1000.0


# Sequential treatment (STAR*D) ---------------------------------------------
def cumulative_remission(step_rates_pct) -> np.ndarray:
    """Cumulative remission after each step if everyone not yet remitted went on to the next step.

    This is the calculation behind STAR*D's reported 67%; it assumes nobody drops out.
    """
    rates = np.asarray(step_rates_pct, dtype=float) / 100.0
    if np.any((rates < 0) | (rates > 1)):
        raise ValueError("remission rates must be percentages between 0 and 100")
    return 100.0 * (1.0 - np.cumprod(1.0 - rates))


# Acute effects -----------------------------------------------------------------
def acute_effect_curve(peak_minutes: float, resolved_minutes: float, minutes) -> np.ndarray:
    """Illustrative relative intensity (peak = 1) rising to a peak and back to baseline when resolved."""
    if not 0 < peak_minutes < resolved_minutes:
        raise ValueError("need 0 < peak_minutes < resolved_minutes")
    minutes = np.asarray(minutes, dtype=float)
    curve = PchipInterpolator([0.0, peak_minutes, resolved_minutes], [0.0, 1.0, 0.0], extrapolate=False)
    return np.where(minutes >= resolved_minutes, 0.0, np.nan_to_num(curve(minutes)))


def time_to_reach(curve: OnsetCurve, percent: float) -> float | None:
    """First time (days) at which an illustrative curve reaches ``percent``; None if it never does in its data."""
    days = np.geomspace(1 / 1440, curve.end_days, 4000)
    values = curve(days)
    reached = np.nonzero(values >= percent)[0]
    return float(days[reached[0]]) if reached.size else None
