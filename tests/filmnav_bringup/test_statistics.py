"""Paired bootstrap statistics of `filmnav eval --compare` on synthetic runs with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from filmnav_bringup import statistics


def test_a_constant_paired_difference_has_a_tight_interval_while_unpaired_noise_is_wide():
    rng = np.random.default_rng(1)
    baseline = rng.uniform(0.0, 1.0, 150)  # episodes differ a lot from each other...
    better = baseline + 0.05  # ...but the better run gains the same on every one
    success = np.ones((2, 150))
    (pair,) = statistics.pair_statistics(["better", "base"], success, np.stack([better, baseline]))
    assert pair.spl_difference.value == pytest.approx(0.05)
    assert pair.spl_difference.low == pytest.approx(0.05) == pair.spl_difference.high
    expected_ratio = better.mean() / baseline.mean()
    assert pair.spl_ratio.low <= expected_ratio <= pair.spl_ratio.high
    # The same gain hidden in independent noise is not distinguishable from zero.
    noisy = rng.uniform(0.0, 1.0, 150) + 0.05
    (unpaired,) = statistics.pair_statistics(
        ["noisy", "base"], success, np.stack([noisy, baseline])
    )
    assert unpaired.spl_difference.low < 0.0 < unpaired.spl_difference.high


def test_intervals_cover_the_true_mean_about_95_percent_of_the_time():
    rng = np.random.default_rng(2)
    covered = 0
    trials = 200
    for _ in range(trials):
        estimate = statistics.mean_interval(rng.binomial(1, 0.7, 150).astype(float), 2000)
        covered += estimate.low <= 0.7 <= estimate.high
    assert 0.9 <= covered / trials <= 0.99


def test_gap_closed_and_success_difference():
    floor = np.full(100, 0.3)
    ceiling = np.full(100, 0.7)
    run = np.full(100, 0.46)
    assert statistics.gap_closed(run, floor, ceiling).value == pytest.approx(0.4)
    success = np.stack([np.r_[np.ones(60), np.zeros(40)], np.r_[np.ones(50), np.zeros(50)]])
    (pair,) = statistics.pair_statistics(["a", "b"], success, success * 0.5)
    assert pair.success_difference.value == pytest.approx(0.1)
    assert pair.success_difference.low >= 0.0  # a only ever adds successes over b
    assert pair.spl_ratio.value == pytest.approx(60 / 50)


def test_common_episodes_keeps_the_first_runs_order_and_drops_unshared_ones():
    runs = {"a": {"k3": {}, "k1": {}, "k2": {}}, "b": {"k1": {}, "k3": {}}}
    assert statistics.common_episodes(runs) == ["k3", "k1"]
    with pytest.raises(ValueError, match="no common episodes"):
        statistics.bootstrap_means(np.zeros((2, 0)))
