"""The joint fit's estimator: rejection ABC on regression-learned summaries, with local-linear
regression adjustment, over a reference table of simulations from the prior.

1. **Summaries** (semi-automatic ABC; Fearnhead & Prangle 2012). The targets of a run are many
   (monthly arrivals and attempts, quarters, shares, the pilot's counts) and noisy. A regression
   fitted on one half of the table (the *training* runs) predicts each parameter, on the probit
   scale of its prior quantile, from the targets; the predictions, which estimate the posterior
   means, are the summary statistics: one per parameter.
2. **Rejection** (Pritchard et al. 1999). The other half (the *reference* runs) is ranked by the
   Euclidean distance between its summaries and the observed data's, on the probit scale the
   summaries estimate (Fearnhead & Prangle's choice); the ``accept`` nearest are kept, with
   Epanechnikov weights.
3. **Local-linear adjustment** (Beaumont, Zhang & Balding 2002). Within the accepted runs each
   parameter is regressed (weighted least squares) on the summaries' distance from the observed
   ones, and each accepted value is moved along that line to the observed summaries. The
   adjustment fits one slope per summary, and with few accepted runs per slope it overfits: the
   adjusted sample is then too narrow. It is used only when there are at least
   :data:`ADJUST_RUNS_PER_COEFFICIENT` accepted runs per coefficient (``adjust="auto"``); below
   that, the plain rejection sample is the posterior. The simulation-based calibration of the
   joint fit measured the difference (docs/ODD.md section 10).

The regression is a small neural network from scikit-learn (``MLPRegressor``, fixed seed),
chosen over a linear one because the targets answer to several parameters at once and not in
proportion (the deterrence strength acts only through removals seen); both are tested on a toy
simulator whose posterior is known (tests/test_joint_abc.py). Everything is deterministic given
the table.
"""

from __future__ import annotations

import dataclasses

import numpy as np
from scipy.stats import norm

#: Accepted runs per coefficient of the local-linear adjustment below which it is left out.
ADJUST_RUNS_PER_COEFFICIENT = 20
#: Target kinds read on a log scale (counts); the others (shares, people per boat) as they are.
LOG_KINDS = ("sum", "cumulative", "attempts")


def probit(u: np.ndarray) -> np.ndarray:
    return norm.ppf(np.clip(u, 1e-9, 1 - 1e-9))


@dataclasses.dataclass
class SummaryRegression:
    """Features -> predicted parameters (probit scale). ``kind``: ``mlp`` or ``linear``."""

    kind: str = "mlp"
    seed: int = 0
    hidden: tuple = (64, 64)

    def fit(self, x: np.ndarray, z: np.ndarray) -> SummaryRegression:
        from sklearn.linear_model import Ridge
        from sklearn.neural_network import MLPRegressor
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        if self.kind == "linear":
            reg = Ridge(alpha=1.0)
        elif self.kind == "mlp":
            reg = MLPRegressor(
                hidden_layer_sizes=self.hidden,
                alpha=1e-3,
                early_stopping=True,
                validation_fraction=0.15,
                n_iter_no_change=20,
                max_iter=600,
                random_state=self.seed,
            )
        else:
            raise ValueError(f"unknown regression {self.kind!r}")
        self.model = make_pipeline(StandardScaler(), reg).fit(x, z)
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        out = self.model.predict(np.atleast_2d(x))
        return out.reshape(len(np.atleast_2d(x)), -1)


class RegressionABC:
    """The estimator, trained once on a table; :meth:`posterior` for any observed data set.

    ``z``: the table's parameters on the probit scale (runs x parameters); ``x``: its features
    (runs x features); ``train``: boolean mask of the runs that train the regression (the others
    are the reference runs of the rejection step)."""

    def __init__(
        self, z: np.ndarray, x: np.ndarray, train: np.ndarray, kind: str = "mlp", seed: int = 0, accept: int = 200
    ):
        self.z, self.x = np.asarray(z, float), np.asarray(x, float)
        self.train = np.asarray(train, bool)
        self.ref = np.flatnonzero(~self.train)
        self.accept = int(accept)
        # observed data outside everything the simulations produce are read as the nearest value
        # they do produce (see summaries)
        self.lo, self.hi = np.percentile(self.x[self.train], [0.5, 99.5], axis=0)
        self.reg = SummaryRegression(kind, seed).fit(self.x[self.train], self.z[self.train])
        self.s_ref = self.reg.predict(self.x[self.ref])
        # the summaries estimate probit-scale parameters, all standard normal a priori: compared on
        # that common scale, one whose regression learned nothing is nearly constant and weighs
        # nothing, where rescaling it by its own small spread would make its noise dominate
        self.scale = np.ones(self.s_ref.shape[1])

    def summaries(self, x_obs: np.ndarray) -> np.ndarray:
        """The summaries of one data set. Each feature is first brought inside the range the
        training runs span (0.5-99.5%): a figure the model cannot produce at any parameter value
        (the pilot's early returns, set by the flight schedule) would otherwise send the regression
        far outside what it learned. The model's misfit there is reported, not fitted."""
        x = np.clip(np.asarray(x_obs, float), self.lo, self.hi)
        return self.reg.predict(x)[0]

    @property
    def adjusts(self) -> bool:
        """Whether ``adjust="auto"`` applies the local-linear adjustment (enough runs per slope)."""
        return self.accept >= ADJUST_RUNS_PER_COEFFICIENT * (self.s_ref.shape[1] + 1)

    def posterior(self, x_obs: np.ndarray, exclude: int | None = None, adjust: bool | str = "auto"):
        """Posterior sample on the probit scale: (values accepted x parameters, weights summing to
        one). ``exclude``: a table row left out of the reference (the synthetic data set of a
        simulation-based calibration check, when it is a reference run)."""
        s_obs = self.summaries(x_obs)
        d = np.sqrt((((self.s_ref - s_obs) / self.scale) ** 2).sum(axis=1))
        if exclude is not None:
            d = np.where(self.ref == exclude, np.inf, d)
        keep = np.argsort(d, kind="stable")[: self.accept]
        h = d[keep[-1]] * 1.0001 if d[keep[-1]] > 0 else 1.0
        w = 1.0 - (d[keep] / h) ** 2
        w = w / w.sum()
        z = self.z[self.ref[keep]].copy()
        if adjust is True or (adjust == "auto" and self.adjusts):
            ds = self.s_ref[keep] - s_obs
            a = np.column_stack([np.ones(len(keep)), ds])
            sw = np.sqrt(w)[:, None]
            beta, *_ = np.linalg.lstsq(a * sw, z * sw, rcond=None)
            z = z - ds @ beta[1:]
        return z, w


def weighted_quantiles(x: np.ndarray, w: np.ndarray, qs) -> np.ndarray:
    """Weighted quantiles of the columns of ``x`` (one row per quantile)."""
    x = np.atleast_2d(np.asarray(x, float).T).T
    out = np.empty((len(qs), x.shape[1]))
    for j in range(x.shape[1]):
        order = np.argsort(x[:, j], kind="stable")
        cdf = (np.cumsum(w[order]) - 0.5 * w[order]) / w.sum()
        out[:, j] = np.interp(qs, cdf, x[order, j])
    return out
