"""What kind of thing a phrase means: linear classifiers on sentence vectors.

Sentence encoders rate "a street lamp" close to the floor lamp and "a dragon" close to the
dragon tree for the words they share; what tells them apart is the kind of thing, which the
vocabularies the project wrote show by example. Two kinds are told apart this way:
- a thing a home contains or not: several thousand keys of things a home contains (names,
  other words, what they are for) against a thousand of things no home contains;
- one of a vocabulary's own objects or another household object it lacks: in the simulator,
  its 28 categories' keys against those of the few hundred other household objects, so that
  "something to make toast" is not taken for the nearest category (the stove).
An L2-regularised logistic regression on the keys' vectors, the two sides weighted equally,
learns the direction that separates them; a goal whose forms all fall on the wrong side of it
is refused (its thresholds are calibrated with the others, calibrate.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

HOME_L2 = 1e-3  # the penalty on the squared weights, against the mean loss of each side
# Stronger for the vocabulary's own objects against others: fewer keys, closer kinds (chosen on
# the calibration set and the dev phrasings).
OWN_L2 = 3e-3
NEWTON_STEPS = 50
TOLERANCE = 1e-8  # on the gradient's largest component


@dataclass(frozen=True)
class KindClassifier:
    weights: np.ndarray  # (dim,)
    bias: float

    @classmethod
    def fit(cls, kind: np.ndarray, other: np.ndarray, l2: float) -> KindClassifier:
        """Fits on unit vectors of phrases of the kind and of others, (n, dim) each, by Newton's
        method with backtracking (the loss is convex; the bias is not penalised)."""
        x = np.concatenate([kind, other]).astype(np.float64)
        x = np.hstack([x, np.ones((len(x), 1))])
        y = np.concatenate([np.ones(len(kind)), np.zeros(len(other))])
        weight = np.where(y == 1, 0.5 / len(kind), 0.5 / max(len(other), 1))
        penalty = np.full(x.shape[1], l2)
        penalty[-1] = 0.0

        def loss(params: np.ndarray) -> float:
            z = x @ params
            return float(weight @ (np.logaddexp(0.0, z) - y * z) + penalty @ params**2 / 2)

        params = np.zeros(x.shape[1])
        for _ in range(NEWTON_STEPS):
            p = 1.0 / (1.0 + np.exp(-(x @ params)))
            gradient = x.T @ (weight * (p - y)) + penalty * params
            if np.abs(gradient).max() < TOLERANCE:
                break
            hessian = (x.T * (weight * p * (1.0 - p))) @ x + np.diag(penalty)
            step = np.linalg.solve(hessian + 1e-12 * np.eye(len(params)), gradient)
            size, before = 1.0, loss(params)
            while loss(params - size * step) > before and size > 1e-4:
                size /= 2
            params = params - size * step
        return cls(params[:-1].astype(np.float32), float(params[-1]))

    def probability(self, vectors: np.ndarray) -> np.ndarray:
        """The probability that each unit vector means a phrase of the kind."""
        return 1.0 / (1.0 + np.exp(-(np.asarray(vectors) @ self.weights + self.bias)))
