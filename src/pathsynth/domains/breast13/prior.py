"""The breast-13 clinical prior: a generative model of the breast-13 variables.

The model is a small Bayesian network sampled in topological order, one vectorised numpy draw
per node (parameters in ``prior.yaml``, sources in docs/clinical-prior.md)::

    specimen ─┬─> morphology ─> grade ─┬─> ER ─> PR
              │                        ├─> HER2 (ER, grade)      Ki-67 (grade, ER)
              │                        └─> size (morphology, grade, specimen)
              │                               └─> LVI (size, grade)
              │                                      └─> nodal metastasis (size, LVI, grade)
              └──────────> axillary staging (specimen, nodal status) ─> nodes examined
                           nodes affected (status, burden, examined) ─> extracapsular extension
              margins (specimen, morphology, size)

Latent quantities (true size, LVI, nodal status, axillary staging) exist for every patient; a
reporting layer then decides which cells a report states: biopsies have no size, margins or
nodes; pure DCIS has no grade, size, LVI or nodes; extracapsular extension needs affected
nodes; and a share of applicable cells is left unstated, as in real cohorts.

:func:`simulate_cohort` samples the network. :func:`complete_cohort` fills the unknown cells of a
real cohort by likelihood weighting: for each row, many particles are drawn with the observed
cells clamped, each weighted by the probability of its observed cells given their sampled
parents, and one particle is kept in proportion to its weight; so a filled size agrees with the
nodes and LVI the row states, not only with its parents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml
from numpy.typing import NDArray

from pathsynth.errors import PathsynthError
from pathsynth.schema import Schema, load_schema

FloatA = NDArray[np.float64]
IntA = NDArray[np.int64]
BoolA = NDArray[np.bool_]

SPECIMENS = ("lumpectomy", "mastectomy", "biopsy", "surgical_excision", "lymph_node_dissection")
RESECTIONS = ("lumpectomy", "mastectomy", "surgical_excision")
AXILLA = ("none", "sentinel", "dissection")
DCIS = "8500/2"
# The variables this model is built for: those of the built-in breast-13 schema.
KEYS = tuple(load_schema("breast13").keys)
#: Weight of a particle whose observed cell its structure cannot produce (a size on a biopsy):
#: small, not zero, so inconsistent real rows still complete.
_IMPOSSIBLE = 1e-4
_LOG_IMPOSSIBLE = float(np.log(_IMPOSSIBLE))
_TINY = 1e-12


def _sigmoid(x: FloatA) -> FloatA:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=float)


def _logit(p: float) -> float:
    return float(np.log(p / (1.0 - p)))


def _norm(row: list[float]) -> list[float]:
    s = float(sum(row))
    return [float(v) / s for v in row]


@cache
def _default_params() -> dict[str, Any]:
    text = resources.files("pathsynth.domains.breast13").joinpath("prior.yaml").read_text("utf-8")
    params: dict[str, Any] = yaml.safe_load(text)
    return params


@dataclass
class Observed:
    """Clamped cells for likelihood weighting: codes (-1 unknown) and numbers (NaN unknown)."""

    specimen: IntA
    diagnostic: IntA
    grade: IntA  # 0, 1, 2 for grades 1-3
    re: IntA  # 1 positive, 0 negative
    rp: IntA
    her2: IntA
    emboles: IntA  # 1 yes
    rupture: IntA  # 1 yes
    margins_clear: IntA  # 1 yes
    taille: FloatA
    ki67: FloatA
    examined: FloatA
    affected: FloatA


class ClinicalPrior:
    """The network of ``prior.yaml``: draws patients, optionally with observed cells clamped."""

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        p = params if params is not None else _default_params()
        self.params = p
        self.specimen_p = np.array(_norm([p["specimen"][s] for s in SPECIMENS]))
        self.invasive = list(p["histology"])
        self.diagnoses = [*self.invasive, DCIS]
        self.dcis_index = len(self.invasive)
        self.histology_p = np.array(_norm([p["histology"][h] for h in self.invasive]))
        self.dcis_p = np.array([p["dcis_only"].get(s, 0.0) for s in SPECIMENS])
        self.grade_p = np.array([_norm(p["grade"][d]) for d in self.diagnoses])
        rec = p["receptors"]
        n_d = len(self.diagnoses)
        er = np.tile(np.array(rec["er_positive_by_grade"], dtype=float), (n_d, 1))
        for d, rate in rec["er_positive_by_histology"].items():
            er[self.diagnoses.index(d), :] = rate
        er[self.dcis_index, :] = rec["er_positive_dcis"]
        self.er_p = er  # (diagnosis, grade)
        self.pr_p = np.array(
            [rec["pr_positive_given_er"]["negative"], rec["pr_positive_given_er"]["positive"]]
        )
        her2 = np.zeros((n_d, 2, 3))
        her2[:, 1, :] = rec["her2_positive_er_positive_by_grade"]
        her2[:, 0, :] = rec["her2_positive_er_negative_by_grade"]
        for d, rate in rec["her2_positive_by_histology"].items():
            her2[self.diagnoses.index(d), :, :] = rate
        self.her2_p = her2  # (diagnosis, ER, grade)
        ki = p["ki67"]
        self.ki_mu = np.array([_logit(m / 100.0) for m in ki["median_by_grade"]])
        self.ki_er_neg = float(ki["er_negative_logit_shift"])
        shifts = ki.get("logit_shift_by_histology", {})
        self.ki_hist = np.array([float(shifts.get(d, 0.0)) for d in self.diagnoses])
        self.ki_sd = float(ki["logit_sd"])
        sz = p["size"]
        self.size_log_median = np.log([sz["median_mm_by_histology"][d] for d in self.diagnoses])
        self.size_log_grade = np.log(sz["grade_factor"])
        self.size_log_specimen = np.log([sz["specimen_factor"][s] for s in SPECIMENS])
        self.size_sd = float(sz["log_sd"])
        nodes = p["nodes"]
        self.axilla_p = np.zeros((len(SPECIMENS), 2, 3))
        for i, s in enumerate(SPECIMENS):
            self.axilla_p[i, 0] = _norm(nodes["axilla"][s]["negative"])
            self.axilla_p[i, 1] = _norm(nodes["axilla"][s]["positive"])
        self.axilla_dcis_p = np.array(
            [_norm(nodes["axilla_dcis"].get(s, [1.0, 0.0, 0.0])) for s in SPECIMENS]
        )
        self.resection = np.isin(np.array(SPECIMENS), RESECTIONS)
        marg = p["margins"]
        self.margin_logit = np.array(
            [_logit(marg["involved_by_specimen"].get(s, 0.5)) for s in SPECIMENS]
        )
        self.margin_shift = np.array(
            [marg["logit_shift_by_histology"].get(d, 0.0) for d in self.diagnoses]
        )

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _draw_cat(rng: np.random.Generator, probs: FloatA) -> IntA:
        cum = np.cumsum(probs, axis=1)
        u = rng.random(len(probs)) * cum[:, -1]
        return np.minimum((cum < u[:, None]).sum(axis=1), probs.shape[1] - 1).astype(np.int64)

    @staticmethod
    def _clamp_cat(probs: FloatA, drawn: IntA, obs: IntA | None, logw: FloatA) -> IntA:
        if obs is None:
            return drawn
        seen = obs >= 0
        idx = np.where(seen, obs, 0)
        p_obs = probs[np.arange(len(probs)), idx]
        logw += np.where(seen, np.log(p_obs + _TINY), 0.0)
        return np.where(seen, obs, drawn)

    @staticmethod
    def _bernoulli(
        rng: np.random.Generator, p: FloatA, obs: IntA | None, logw: FloatA | None
    ) -> BoolA:
        drawn = rng.random(len(p)) < p
        if obs is None or logw is None:
            return drawn
        seen = obs >= 0
        p_obs = np.where(obs == 1, p, 1.0 - p)
        logw += np.where(seen, np.log(p_obs + _TINY), 0.0)
        return np.where(seen, obs == 1, drawn)

    def _log_size(self, size: FloatA) -> FloatA:
        return np.asarray(np.log(np.maximum(size, 0.5) / 20.0), dtype=float)

    # -- the network -------------------------------------------------------------------------

    def draw(
        self, n: int, rng: np.random.Generator, obs: Observed | None = None
    ) -> tuple[dict[str, Any], FloatA]:
        """Draw ``n`` latent patients; return their variables and log-weights of ``obs``."""
        p = self.params
        if obs is not None:
            # Only weighting needs densities; plain simulation skips the slow scipy import.
            from scipy import stats
        logw = np.zeros(n)
        ar = np.arange(n)
        o = obs

        specimen = self._clamp_cat(
            np.tile(self.specimen_p, (n, 1)),
            self._draw_cat(rng, np.tile(self.specimen_p, (n, 1))),
            o.specimen if o else None,
            logw,
        )
        resection = self.resection[specimen]

        n_inv = len(self.invasive)
        diag_p = np.zeros((n, n_inv + 1))
        dcis_rate = self.dcis_p[specimen]
        diag_p[:, :n_inv] = (1.0 - dcis_rate)[:, None] * self.histology_p[None, :]
        diag_p[:, n_inv] = dcis_rate
        diagnostic = self._clamp_cat(
            diag_p, self._draw_cat(rng, diag_p), o.diagnostic if o else None, logw
        )
        dcis = diagnostic == self.dcis_index

        grade_p = self.grade_p[diagnostic]
        grade = self._clamp_cat(grade_p, self._draw_cat(rng, grade_p), o.grade if o else None, logw)

        er = self._bernoulli(rng, self.er_p[diagnostic, grade], o.re if o else None, logw)
        pr = self._bernoulli(rng, self.pr_p[er.astype(int)], o.rp if o else None, logw)
        her2_p = self.her2_p[diagnostic, er.astype(int), grade]
        her2 = self._bernoulli(rng, her2_p, o.her2 if o else None, logw)

        ki_mu = self.ki_mu[grade] + np.where(er, 0.0, self.ki_er_neg) + self.ki_hist[diagnostic]
        ki = 100.0 * _sigmoid(rng.normal(ki_mu, self.ki_sd))
        if o is not None:
            seen = ~np.isnan(o.ki67)
            y = np.clip(np.where(seen, o.ki67, 50.0) / 100.0, 0.005, 0.995)
            dens = stats.norm.logpdf(np.log(y / (1 - y)), ki_mu, self.ki_sd) - np.log(y * (1 - y))
            logw += np.where(seen, dens, 0.0)
            ki = np.where(seen, o.ki67, ki)

        size_mu = (
            self.size_log_median[diagnostic]
            + self.size_log_grade[grade]
            + self.size_log_specimen[specimen]
        )
        size = np.exp(rng.normal(size_mu, self.size_sd))
        if o is not None:
            seen = ~np.isnan(o.taille)
            x = np.maximum(np.where(seen, o.taille, 20.0), 0.5)
            dens = stats.norm.logpdf(np.log(x), size_mu, self.size_sd) - np.log(x)
            logw += np.where(seen, dens, 0.0)
            size = np.where(seen, o.taille, size)
        log_size = self._log_size(size)

        lv = p["lvi"]
        lvi_p = _sigmoid(
            lv["intercept"]
            + lv["log_size_slope"] * log_size
            + np.asarray(lv["grade_shift"], dtype=float)[grade]
        )
        lvi_p = np.where(dcis, 0.0, lvi_p)
        lvi = self._bernoulli(rng, lvi_p, o.emboles if o else None, logw)

        pos = p["nodes"]["positive"]
        node_p = _sigmoid(
            pos["intercept"]
            + pos["log_size_slope"] * log_size
            + pos["lvi_shift"] * lvi
            + np.asarray(pos["grade_shift"], dtype=float)[grade]
        )
        for s, rate in pos.get("specimen_override", {}).items():
            node_p = np.where(specimen == SPECIMENS.index(s), rate, node_p)
        node_p = np.where(dcis, 0.0, node_p)
        node_pos = rng.random(n) < node_p  # latent: informed through the affected count below

        ax_p = np.where(
            dcis[:, None],
            self.axilla_dcis_p[specimen],
            self.axilla_p[specimen, node_pos.astype(int)],
        )
        axilla = self._draw_cat(rng, ax_p)

        ex = p["nodes"]["examined"]
        r_d = float(ex["dissection_dispersion"])
        m_d = float(ex["dissection_mean_extra"])
        examined = np.where(
            axilla == 1,
            1 + rng.poisson(ex["sentinel_mean_extra"], n),
            np.where(axilla == 2, 1 + rng.negative_binomial(r_d, r_d / (r_d + m_d), n), 0),
        )
        has_nodes = axilla > 0
        if o is not None:
            seen = ~np.isnan(o.examined)
            e_obs = np.where(seen, o.examined, 1.0).astype(np.int64)
            lp = np.where(
                axilla == 1,
                stats.poisson.logpmf(e_obs - 1, ex["sentinel_mean_extra"]),
                stats.nbinom.logpmf(e_obs - 1, r_d, r_d / (r_d + m_d)),
            )
            lp = np.where(has_nodes, np.maximum(lp, _LOG_IMPOSSIBLE), _LOG_IMPOSSIBLE)
            logw += np.where(seen, lp, 0.0)
            examined = np.where(seen, e_obs, examined)
        examined = np.minimum(examined, 80)

        bu = p["nodes"]["burden"]
        mean_extra = np.exp(
            np.log(bu["mean_extra"])
            + bu["log_size_slope"] * log_size
            + np.log(bu["lvi_factor"]) * lvi
        )
        r_b = float(bu["dispersion"])
        p_b = r_b / (r_b + mean_extra)
        burden = 1 + rng.negative_binomial(r_b, p_b)
        affected = np.where(node_pos, np.minimum(burden, examined), 0)
        if o is not None:
            seen = ~np.isnan(o.affected)
            k = np.where(seen, o.affected, 0.0).astype(np.int64)
            # affected = min(burden, examined): the burden's pmf below the cap, its tail at it.
            lp_pos = np.where(
                k < examined,
                stats.nbinom.logpmf(k - 1, r_b, p_b),
                stats.nbinom.logsf(k - 2, r_b, p_b),
            )
            lp_pos = np.where((k >= 1) & (k <= examined), lp_pos, _LOG_IMPOSSIBLE)
            lp = np.where(node_pos, lp_pos, np.where(k == 0, 0.0, _LOG_IMPOSSIBLE))
            lp = np.where(has_nodes, np.maximum(lp, _LOG_IMPOSSIBLE), _LOG_IMPOSSIBLE)
            logw += np.where(seen, lp, 0.0)
            affected = np.where(seen, k, affected)
            # An observed count above a drawn examined count: examine at least as many.
            examined = np.where(has_nodes, np.maximum(examined, affected), examined)

        ece_cfg = p["nodes"]["extracapsular"]
        ece_p = _sigmoid(
            ece_cfg["intercept"] + ece_cfg["log_affected_slope"] * np.log(np.maximum(affected, 1))
        )
        ece = self._bernoulli(rng, ece_p, o.rupture if o else None, logw)

        mg = p["margins"]
        involved_p = _sigmoid(
            self.margin_logit[specimen]
            + self.margin_shift[diagnostic]
            + mg["log_size_slope"] * log_size
        )
        clear = self._bernoulli(rng, 1.0 - involved_p, o.margins_clear if o else None, logw)

        # Which cells a report can state, given the patient's structure.
        invasive = ~dcis
        stated_core = specimen != SPECIMENS.index("lymph_node_dissection")
        possible = {
            "echantillon": np.ones(n, bool),
            "diagnostic": np.ones(n, bool),
            "grade": invasive & stated_core,
            "taille": invasive & resection,
            "marges_saines": resection,
            "numero_gang_prel": has_nodes,
            "numero_gang_att": has_nodes,
            "emboles": invasive & stated_core,
            "rupture_capsulaire": has_nodes & (affected > 0),
            "re": stated_core,
            "rp": stated_core,
            "her2": invasive & stated_core,
            "ki67": invasive & stated_core,
        }
        # Cells applicable to every such patient; the others (LVI on a biopsy, receptors on a
        # pure DCIS) are stated only sometimes and never filled in by completion.
        applicable = dict(possible)
        applicable["emboles"] = possible["emboles"] & resection
        applicable["re"] = possible["re"] & invasive
        applicable["rp"] = possible["rp"] & invasive
        if o is not None:
            observed = {
                "grade": o.grade >= 0,
                "taille": ~np.isnan(o.taille),
                "marges_saines": o.margins_clear >= 0,
                "emboles": o.emboles >= 0,
                "rupture_capsulaire": o.rupture >= 0,
                "re": o.re >= 0,
                "rp": o.rp >= 0,
                "her2": o.her2 >= 0,
                "ki67": ~np.isnan(o.ki67),
            }
            for key, seen in observed.items():
                logw += np.where(seen & ~possible[key], _LOG_IMPOSSIBLE, 0.0)

        values = {
            "specimen": specimen,
            "diagnostic": diagnostic,
            "grade": grade,
            "taille": np.clip(np.round(size), 1, 250),
            "marges_saines": clear,
            "numero_gang_prel": examined,
            "numero_gang_att": affected,
            "emboles": lvi,
            "rupture_capsulaire": ece,
            "re": er,
            "rp": pr,
            "her2": her2,
            "ki67": np.clip(np.round(ki), 1, 99),
            "_possible": possible,
            "_applicable": applicable,
            "_node_positive": node_pos,
            "_axilla": axilla,
        }
        del ar
        return values, logw

    # -- turning draws into records ------------------------------------------------------------

    def to_frame(
        self, values: dict[str, Any], cells: dict[str, BoolA], ids: list[str]
    ) -> pd.DataFrame:
        """Records from drawn values, keeping only ``cells[key]`` (others unknown)."""
        n = len(ids)

        def cat(arr: NDArray[Any], labels: tuple[str, ...] | list[str], keep: BoolA) -> pd.Series:
            lab = np.asarray(labels, dtype=object)[arr]
            return pd.Series(np.where(keep, lab, None), dtype=object)

        yes_no = ("no", "yes")
        neg_pos = ("negative", "positive")
        frame = pd.DataFrame({"id": pd.Series(ids, dtype=object)})
        frame["echantillon"] = cat(values["specimen"], SPECIMENS, cells["echantillon"])
        frame["diagnostic"] = cat(values["diagnostic"], self.diagnoses, cells["diagnostic"])
        frame["grade"] = _int_column(values["grade"] + 1, cells["grade"])
        frame["taille"] = np.where(cells["taille"], values["taille"], np.nan).astype(float)
        frame["marges_saines"] = cat(
            values["marges_saines"].astype(int), yes_no, cells["marges_saines"]
        )
        for key in ("numero_gang_prel", "numero_gang_att"):
            frame[key] = _int_column(values[key], cells[key])
        frame["emboles"] = cat(values["emboles"].astype(int), yes_no, cells["emboles"])
        frame["rupture_capsulaire"] = cat(
            values["rupture_capsulaire"].astype(int), yes_no, cells["rupture_capsulaire"]
        )
        for key in ("re", "rp", "her2"):
            frame[key] = cat(values[key].astype(int), neg_pos, cells[key])
        frame["ki67"] = np.where(cells["ki67"], values["ki67"], np.nan).astype(float)
        assert len(frame) == n
        return frame


def _int_column(values: NDArray[Any], keep: BoolA) -> pd.Series:
    return pd.Series(
        pd.array([int(v) if k else None for v, k in zip(values, keep, strict=True)], dtype="Int64")
    )


def _check_schema(schema: Schema | str | None) -> Schema:
    sch = schema if isinstance(schema, Schema) else load_schema(schema or "breast13")
    missing = [k for k in KEYS if k not in sch]
    if missing:
        raise PathsynthError(
            f"the built-in clinical prior models the breast13 variables; schema {sch.name} "
            f"lacks {', '.join(missing)}"
        )
    prior = ClinicalPrior()
    needed = {"echantillon": SPECIMENS, "diagnostic": tuple(prior.diagnoses)}
    for key, codes in needed.items():
        unknown = [c for c in codes if c not in sch[key].codes]
        if unknown:
            raise PathsynthError(
                f"schema {sch.name}: {key} lacks the codes {', '.join(unknown)} the prior uses"
            )
    return sch


def _ordered(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """Schema column order; keys outside the prior stay unknown."""
    for key in schema.keys:
        if key not in frame:
            var = schema[key]
            if var.type == "integer":
                frame[key] = pd.array([pd.NA] * len(frame), dtype="Int64")
            elif var.type == "number":
                frame[key] = np.nan
            else:
                frame[key] = pd.Series([None] * len(frame), dtype=object)
    return frame[["id", *schema.keys]]


def simulate_cohort(n: int, seed: int = 0, schema: Schema | str | None = None) -> pd.DataFrame:
    """Draw ``n`` patients from the built-in clinical prior, with realistic unknown cells.

    Returns records (``id`` then the schema keys, typed as :func:`read_records` types them);
    ids are ``SIM-000001``... Same ``seed``, same cohort.
    """
    if n < 1:
        raise PathsynthError(f"--n must be at least 1 (got {n})")
    sch = _check_schema(schema)
    prior = ClinicalPrior()
    rng = np.random.default_rng(seed)
    values, _ = prior.draw(n, rng)
    rep = prior.params["reporting"]
    cells: dict[str, BoolA] = {}
    possible = values["_possible"]
    applicable = values["_applicable"]
    for key in KEYS:
        sometimes = possible[key] & ~applicable[key]
        if key == "emboles":
            extra = rng.random(n) < rep["biopsy_lvi_stated"]
        elif key in rep["dcis_receptor_stated"]:
            extra = rng.random(n) < rep["dcis_receptor_stated"][key]
        else:
            extra = np.zeros(n, bool)
        stated = rng.random(n) >= rep["not_stated"].get(key, 0.0)
        cells[key] = (applicable[key] | (sometimes & extra)) & stated
    # Affected nodes are never stated without the number examined (and vice versa a count
    # of examined nodes with no result would be odd): state both or neither.
    both = cells["numero_gang_prel"] & cells["numero_gang_att"]
    cells["numero_gang_prel"] = both
    cells["numero_gang_att"] = both
    width = max(6, len(str(n)))
    ids = [f"SIM-{i:0{width}d}" for i in range(1, n + 1)]
    return _ordered(prior.to_frame(values, cells, ids), sch)


def _observed(frame: pd.DataFrame, prior: ClinicalPrior) -> Observed:
    """Clamped cells from typed records (codes the prior does not know count as unknown)."""

    def codes(key: str, labels: tuple[str, ...] | list[str]) -> IntA:
        index = {lab: i for i, lab in enumerate(labels)}
        return np.array([index.get(v, -1) if isinstance(v, str) else -1 for v in frame[key]])

    def number(key: str) -> FloatA:
        return np.asarray(pd.to_numeric(frame[key]).astype(float).to_numpy(na_value=np.nan))

    grade = number("grade")
    return Observed(
        specimen=codes("echantillon", SPECIMENS),
        diagnostic=codes("diagnostic", prior.diagnoses),
        grade=np.where(np.isnan(grade), -1, np.nan_to_num(grade) - 1).astype(np.int64),
        re=codes("re", ("negative", "positive")),
        rp=codes("rp", ("negative", "positive")),
        her2=codes("her2", ("negative", "positive")),
        emboles=codes("emboles", ("no", "yes")),
        rupture=codes("rupture_capsulaire", ("no", "yes")),
        margins_clear=codes("marges_saines", ("no", "yes")),
        taille=number("taille"),
        ki67=number("ki67"),
        examined=number("numero_gang_prel"),
        affected=number("numero_gang_att"),
    )


def _take(obs: Observed, rows: slice, repeat: int) -> Observed:
    return Observed(
        **{
            name: np.repeat(getattr(obs, name)[rows], repeat)
            for name in Observed.__dataclass_fields__
        }
    )


def complete_cohort(
    frame: pd.DataFrame,
    seed: int = 0,
    schema: Schema | str | None = None,
    *,
    keys: list[str] | None = None,
    particles: int = 256,
    progress: Callable[[int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fill the unknown cells of a real cohort from the prior, conditioned on its known cells.

    Each row's known cells stay as they are. Its unknown cells among ``keys`` (default: all
    breast-13 keys) are filled when they apply to the patient the prior infers (no size on a
    biopsy, no extracapsular extension without affected nodes), by likelihood weighting with
    ``particles`` draws per row. Returns ``(completed, flags)``: ``flags`` has the same ids and
    one boolean column per schema key, true where a cell was filled. ``progress`` is called
    with the number of rows done after each chunk.
    """
    from pathsynth.cohort.records import coerce_frame

    sch = _check_schema(schema)
    fill = list(KEYS) if keys is None else list(keys)
    bad = [k for k in fill if k not in KEYS]
    if bad:
        raise PathsynthError(
            f"cannot complete {', '.join(bad)}: the prior models {', '.join(KEYS)}"
        )
    if particles < 1:
        raise PathsynthError(f"particles must be at least 1 (got {particles})")
    records = coerce_frame(frame, sch).frame
    prior = ClinicalPrior()
    obs = _observed(records, prior)
    rng = np.random.default_rng(seed)
    n = len(records)
    chunk = max(1, 200_000 // particles)
    parts: list[pd.DataFrame] = []
    for start in range(0, n, chunk):
        rows = slice(start, min(n, start + chunk))
        m = rows.stop - rows.start
        values, logw = prior.draw(m * particles, rng, _take(obs, rows, particles))
        # Gumbel-max: one particle per row, drawn in proportion to its weight.
        scores = logw.reshape(m, particles) + rng.gumbel(size=(m, particles))
        pick = np.arange(m) * particles + scores.argmax(axis=1)
        chosen = {
            k: (v[pick] if isinstance(v, np.ndarray) else {kk: vv[pick] for kk, vv in v.items()})
            for k, v in values.items()
        }
        ids = records["id"].iloc[rows].tolist()
        parts.append(prior.to_frame(chosen, chosen["_applicable"], ids))
        if progress is not None:
            progress(rows.stop)
    drawn = _ordered(pd.concat(parts, ignore_index=True), sch)

    completed = records.copy()
    flags = pd.DataFrame({"id": records["id"]})
    for key in sch.keys:
        if key in fill:
            mask = (records[key].isna() & drawn[key].notna()).to_numpy(dtype=bool)
            completed[key] = records[key].where(~mask, drawn[key])
        else:
            mask = np.zeros(n, dtype=bool)
        flags[key] = mask
    # A filled examined count never falls below the (observed or filled) affected count.
    att, prel = completed["numero_gang_att"], completed["numero_gang_prel"]
    low = (att.notna() & prel.notna() & (att > prel)).to_numpy(dtype=bool) & flags[
        "numero_gang_prel"
    ].to_numpy()
    completed.loc[low, "numero_gang_prel"] = att[low]
    return completed, flags
