"""A small softmax (multinomial logistic) head on sentence embeddings, temperature-calibrated."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["SoftmaxHead", "fit_temperature", "softmax"]

Matrix = npt.NDArray[np.float32]
Labels = npt.NDArray[np.int64]


def softmax(logits: Matrix, temperature: float = 1.0) -> Matrix:
    """Row-wise softmax of ``logits / temperature``."""
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    probs: Matrix = (exp / exp.sum(axis=-1, keepdims=True)).astype(np.float32)
    return probs


@dataclass
class SoftmaxHead:
    """Standardised features → linear logits; trained by full-batch Adam, so fully deterministic."""

    weights: Matrix
    bias: Matrix
    mean: Matrix
    scale: Matrix
    temperature: float = 1.0

    @classmethod
    def fit(
        cls, features: Matrix, labels: Labels, classes: int, *, l2: float = 1e-3, steps: int = 300
    ) -> SoftmaxHead:
        """Train on (n, d) features and integer labels in ``range(classes)``."""
        mean = features.mean(axis=0)
        scale = features.std(axis=0) + 1e-6
        x = ((features - mean) / scale).astype(np.float32)
        n, d = x.shape
        onehot = np.eye(classes, dtype=np.float32)[labels]
        # Balanced classes: an intent with fewer examples is not a less likely intent.
        counts = np.bincount(labels, minlength=classes).astype(np.float32)
        sample_weight = (n / (classes * np.maximum(counts, 1)))[labels][:, None] / n
        w = np.zeros((d, classes), np.float32)
        b = np.zeros(classes, np.float32)
        params = [w, b]
        moments = [np.zeros_like(w), np.zeros_like(b)]
        velocities = [np.zeros_like(w), np.zeros_like(b)]
        rate, beta1, beta2 = 0.05, 0.9, 0.999
        for step in range(1, steps + 1):
            error = (softmax(x @ w + b) - onehot) * sample_weight
            grads = [x.T @ error + l2 * w, error.sum(axis=0)]
            for p, g, m, v in zip(params, grads, moments, velocities, strict=True):
                m *= beta1
                m += (1 - beta1) * g
                v *= beta2
                v += (1 - beta2) * g * g
                p -= rate * (m / (1 - beta1**step)) / (np.sqrt(v / (1 - beta2**step)) + 1e-8)
        return cls(w, b, mean.astype(np.float32), scale.astype(np.float32))

    def logits(self, features: Matrix) -> Matrix:
        """Uncalibrated scores, shape (n, classes)."""
        return (((features - self.mean) / self.scale) @ self.weights + self.bias).astype(np.float32)

    def probabilities(self, features: Matrix) -> Matrix:
        """Calibrated class probabilities, shape (n, classes)."""
        return softmax(self.logits(features), self.temperature)


def fit_temperature(logits: Matrix, labels: Labels) -> float:
    """The temperature that minimises the negative log-likelihood of held-out logits."""
    best, best_nll = 1.0, np.inf
    for temperature in np.exp(np.linspace(np.log(0.05), np.log(20.0), 120)):
        probs = softmax(logits, float(temperature))
        nll = -np.log(probs[np.arange(len(labels)), labels] + 1e-9).mean()
        if nll < best_nll:
            best, best_nll = float(temperature), float(nll)
    return best
