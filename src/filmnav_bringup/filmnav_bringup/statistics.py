"""Paired statistics for policies evaluated on the same episodes (no ROS).

Runs are compared only on the episodes they share (matched by episode key), so every difference
is paired: one resample of episodes is applied to all runs at once. Intervals are 95% percentile
intervals of a paired bootstrap over episodes (seeded, so reruns print the same numbers).

    table = episode_table(runs)                  # run -> key -> record, common keys only
    stats = paired_comparison(values, names)     # SR/SPL per run, differences and ratios per pair
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

import numpy as np

RESAMPLES = 10_000
CONFIDENCE = 0.95
SEED = 0
CHUNK = 1000  # resamples drawn at a time


@dataclass(frozen=True)
class Estimate:
    """A statistic on the observed episodes with its bootstrap interval."""

    value: float
    low: float
    high: float

    def __str__(self) -> str:
        return f"{self.value:+.3f} [{self.low:+.3f}, {self.high:+.3f}]"


def _estimate(observed: float, resampled: np.ndarray) -> Estimate:
    tail = (1.0 - CONFIDENCE) / 2.0 * 100.0
    finite = resampled[np.isfinite(resampled)]
    if finite.size == 0:
        return Estimate(float(observed), float("nan"), float("nan"))
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return Estimate(float(observed), float(low), float(high))


def bootstrap_means(
    values: np.ndarray, resamples: int = RESAMPLES, seed: int = SEED
) -> np.ndarray:
    """Means of [runs, episodes] values over `resamples` paired resamples: [resamples, runs]."""
    runs, episodes = values.shape
    if episodes == 0:
        raise ValueError("no common episodes to compare")
    rng = np.random.default_rng(seed)
    means = np.empty((resamples, runs))
    # The same resampled episodes for every run (paired), in chunks to bound the memory.
    for start in range(0, resamples, CHUNK):
        picks = rng.integers(0, episodes, size=(min(CHUNK, resamples - start), episodes))
        means[start : start + len(picks)] = values[:, picks].mean(axis=2).T
    return means


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator != 0.0, numerator / denominator, np.nan)


@dataclass(frozen=True)
class PairStatistics:
    first: str
    second: str
    episodes: int
    success_difference: Estimate  # SR(first) - SR(second)
    spl_difference: Estimate  # SPL(first) - SPL(second)
    spl_ratio: Estimate  # SPL(first) / SPL(second)


def pair_statistics(
    names: Sequence[str], success: np.ndarray, spl: np.ndarray, resamples: int = RESAMPLES
) -> list[PairStatistics]:
    """Every pair (i < j) of runs, from [runs, episodes] success (0/1) and SPL values."""
    boot_success = bootstrap_means(success, resamples)
    boot_spl = bootstrap_means(spl, resamples)
    mean_success, mean_spl = success.mean(axis=1), spl.mean(axis=1)
    pairs = []
    for i in range(len(names)):
        for j in range(i + 1, len(names)):
            pairs.append(
                PairStatistics(
                    names[i],
                    names[j],
                    success.shape[1],
                    _estimate(
                        mean_success[i] - mean_success[j], boot_success[:, i] - boot_success[:, j]
                    ),
                    _estimate(mean_spl[i] - mean_spl[j], boot_spl[:, i] - boot_spl[:, j]),
                    _estimate(
                        float(ratio(mean_spl[i], mean_spl[j])),
                        ratio(boot_spl[:, i], boot_spl[:, j]),
                    ),
                )
            )
    return pairs


def gap_closed(
    run: np.ndarray,
    floor: np.ndarray,
    ceiling: np.ndarray,
    resamples: int = RESAMPLES,
) -> Estimate:
    """Share of the floor-to-ceiling gap a run closes, (run - floor) / (ceiling - floor), on
    paired [episodes] values (e.g. SPL of compact, nearest and oracle)."""
    values = np.stack([run, floor, ceiling])
    boot = bootstrap_means(values, resamples)
    means = values.mean(axis=1)
    observed = float(ratio(means[0] - means[1], means[2] - means[1]))
    return _estimate(observed, ratio(boot[:, 0] - boot[:, 1], boot[:, 2] - boot[:, 1]))


def mean_interval(values: np.ndarray, resamples: int = RESAMPLES) -> Estimate:
    """Mean of one run's [episodes] values with its bootstrap interval."""
    return _estimate(float(values.mean()), bootstrap_means(values[None, :], resamples)[:, 0])


def common_episodes(runs: Mapping[str, Mapping[str, dict]]) -> list[str]:
    """Episode keys every run has, in the first run's order."""
    first, *others = runs.values()
    return [key for key in first if all(key in other for other in others)]


def as_json(item: PairStatistics | Estimate) -> dict:
    return asdict(item)
