"""Models: curves go through their measured points, stay in range, and behave as the sources say."""

import numpy as np
import pytest

from ketamine_explainer import models

TREATMENTS = ("iv_single", "iv_course", "esketamine", "ssri", "cbt", "ect")


@pytest.mark.parametrize("treatment", TREATMENTS)
def test_curve_passes_through_its_anchor_points(data, treatment):
    curve = models.onset_curve(data, treatment)
    for point in curve.anchors:
        assert curve(point.days) == pytest.approx(point.value_pct, abs=1e-9)
    assert curve(0.0) == 0.0


@pytest.mark.parametrize("treatment", TREATMENTS)
def test_curve_stays_within_0_and_100_and_ends_at_its_last_point(data, treatment):
    curve = models.onset_curve(data, treatment)
    days = np.linspace(0, curve.end_days, 2000)
    values = curve(days)
    assert np.all((values >= 0) & (values <= 100))
    assert np.isnan(curve(curve.end_days + 1))


def test_single_infusion_peaks_near_24_hours_and_returns_near_baseline_by_two_weeks(data):
    curve = models.onset_curve(data, "iv_single")
    days = np.linspace(0, 14, 14 * 24 * 4 + 1)
    values = curve(days)
    assert days[np.argmax(values)] == pytest.approx(1.0, abs=0.25)
    assert values.max() == pytest.approx(52.2, abs=0.5)
    assert curve(14) <= 20  # back to the active-placebo level (18%)
    assert curve(7) < curve(3) < curve(1)  # fading over the first week


def test_standard_antidepressant_is_slow_but_not_zero_in_the_first_weeks(data):
    ssri = models.onset_curve(data, "ssri")
    assert 0 < ssri(7) < 30
    assert ssri(56) == pytest.approx(50)
    assert models.onset_curve(data, "iv_single")(1) > 2 * ssri(7)


def test_cbt_builds_more_slowly_than_medication_but_catches_up_by_16_weeks(data):
    cbt, ssri = models.onset_curve(data, "cbt"), models.onset_curve(data, "ssri")
    assert cbt(56) < ssri(56)
    assert cbt(112) == pytest.approx(ssri(112))


def test_measured_points_exclude_comparators_and_anchors(data):
    points = models.measured_points(data, "iv_single")
    assert points and all(p.measured and not p.comparator for p in points)
    assert all(p.measure in ("response", "remission") for p in points)
    assert [p.days for p in points] == sorted(p.days for p in points)


def test_first_effect_is_the_earliest_report(data):
    assert models.first_effect(data, "iv_single").days == pytest.approx(110 / 1440)
    assert models.first_effect(data, "iv_course") is None


def test_negative_time_is_rejected(data):
    with pytest.raises(ValueError, match="negative"):
        models.onset_curve(data, "ssri")(-1)


def test_unknown_treatment_is_rejected(data):
    with pytest.raises(ValueError, match="no curve anchors"):
        models.onset_curve(data, "homeopathy")


def test_two_compartment_constants_match_the_fact_sheet(data):
    pk = models.two_compartment_from_half_lives(
        data.pk("clearance").value, data.pk("volume_steady_state").value,
        data.pk("half_life_alpha").value, data.pk("half_life_beta").value,
    )
    assert pk.k10 == pytest.approx(0.0113, abs=2e-4)
    assert pk.k12 == pytest.approx(0.0275, abs=3e-4)
    assert pk.k21 == pytest.approx(0.0236, abs=3e-4)
    assert pk.v1 == pytest.approx(117, abs=1)
    assert pk.v2 == pytest.approx(135, abs=1)


def test_infusion_curve_peaks_at_the_end_of_the_infusion_near_the_reported_level(data):
    pk = models.two_compartment_from_half_lives(79, 252, 12, 150)
    minutes = np.arange(0, 481)
    conc = models.plasma_concentration(pk, minutes, dose_mg=35, infusion_minutes=40)
    assert minutes[np.argmax(conc)] == 40
    assert conc.max() == pytest.approx(173, abs=3)  # reported peak about 185 ng/mL
    assert conc[[80, 120, 240, 480]] == pytest.approx([89, 68, 39, 13], abs=2)
    assert conc[0] == pytest.approx(0, abs=1e-9) and np.all(conc >= -1e-9)


def test_cumulative_remission_reproduces_the_reported_67_percent(data):
    rates = [r.value_pct for r in sorted((r for r in data.stard if r.measure == "step_remission"), key=lambda r: r.step)]
    reported = next(r.value_pct for r in data.stard if r.measure == "cumulative_reported")
    cumulative = models.cumulative_remission(rates)
    assert cumulative[0] == pytest.approx(36.8)
    assert round(cumulative[-1]) == reported
    assert np.all(np.diff(cumulative) > 0)
    with pytest.raises(ValueError):
        models.cumulative_remission([120])


def test_acute_effect_curve_peaks_then_returns_to_baseline():
    minutes = np.arange(0, 241)
    curve = models.acute_effect_curve(40, 120, minutes)
    assert curve[40] == pytest.approx(1) and curve[0] == 0 and np.all(curve[120:] == 0)
    assert np.all((curve >= 0) & (curve <= 1))
    with pytest.raises(ValueError):
        models.acute_effect_curve(120, 40, minutes)


def test_time_to_reach(data):
    single = models.onset_curve(data, "iv_single")
    assert 0.3 < models.time_to_reach(single, 40) < 1.0
    assert models.time_to_reach(single, 60) is None  # never reaches 60% in the data
    assert models.time_to_reach(models.onset_curve(data, "ssri"), 50) == pytest.approx(56, rel=0.01)
