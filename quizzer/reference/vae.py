"""The VAE's sampling step and its KL term (``conventions.VAE_LOG_VARIANCE``, ``conventions.KL_REDUCTION``).

The encoder outputs a mean mu and a log-variance log_var = log sigma^2 for each latent unit, each (N, Z).
Sampling is rewritten so that the randomness comes in as an input eps ~ N(0, I) (the
reparameterization trick), and the gradient can flow into mu and log_var:

    sigma = exp(0.5 * log_var)
    z     = mu + sigma * eps                                   (N, Z)
    kl    = -0.5 * sum_j (1 + log_var - mu^2 - exp(log_var))  (N,)  KL(N(mu, sigma^2) || N(0, I))

The KL term is summed over the latent units: one value per sample.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ._arrays import as_float64


class ReparameterizeGrads(NamedTuple):
    dmu: np.ndarray  # (N, Z)
    dlog_var: np.ndarray  # (N, Z)


def reparameterize(mu, log_var, eps):
    """z = mu + exp(0.5 * log_var) * eps, each (N, Z)."""
    mu, log_var, eps = as_float64(mu, log_var, eps)
    return mu + np.exp(0.5 * log_var) * eps


def reparameterize_backward(dz, mu, log_var, eps):
    """Gradients given dL/dz: z moves one for one with mu, and by 0.5 * sigma * eps with log_var."""
    dz, mu, log_var, eps = as_float64(dz, mu, log_var, eps)
    sigma = np.exp(0.5 * log_var)
    return ReparameterizeGrads(dmu=dz, dlog_var=dz * 0.5 * sigma * eps)


def kl_standard_normal(mu, log_var):
    """KL(N(mu, sigma^2) || N(0, I)) summed over the latent units: (N,) for mu, log_var (N, Z)."""
    mu, log_var = as_float64(mu, log_var)
    return -0.5 * np.sum(1.0 + log_var - mu**2 - np.exp(log_var), axis=-1)


def kl_standard_normal_backward(dkl, mu, log_var):
    """Gradients given dL/dkl (N,): d kl / d mu = mu, d kl / d log_var = 0.5 * (exp(log_var) - 1)."""
    dkl, mu, log_var = as_float64(dkl, mu, log_var)
    dkl = dkl[..., None]
    return ReparameterizeGrads(dmu=dkl * mu, dlog_var=dkl * 0.5 * (np.exp(log_var) - 1.0))
