"""Golden cases for @wine/drift: every number here comes from scipy / numpy.

Run with the pinned venv (.ci/services/scipy.sh provisions it):
    $SCIPY_PYTHON packages/drift/golden/generate_cases.py > packages/drift/test/golden/cases.json

Large samples are not stored: they are described by a recipe that the TypeScript test
rebuilds bit for bit (mulberry32, the seeded generator of @wine/model, ported below).
Methods follow Evidently's stattests (evidently/legacy/calculations/stattests/*.py):
  ks            scipy.stats.ks_2samp(ref, cur, method="asymp")     p-value, statistic D
  wasserstein   scipy.stats.wasserstein_distance / max(numpy.std(ref), 0.001)
  psi           reference-quantile bins (@wine/model's rule), Evidently's zero fill
  chisquare     scipy.stats.chisquare(obs, ref_counts * n_cur / n_ref)
  z             two-proportion z-test, 2 * (1 - scipy.stats.norm.cdf(|z|))
  jensenshannon scipy.spatial.distance.jensenshannon over Evidently's get_binned_data
Where scipy returns NaN (a documented degenerate case) the case says so and records the
value @wine/drift reports instead ("ours"); an empty side is an error (DRIFT_EMPTY_SAMPLE)
where scipy answers NaN or raises.
"""

import json
import math
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

M32 = 0xFFFFFFFF


def mulberry32(seed):
    state = seed & M32

    def nxt():
        nonlocal state
        state = (state + 0x6D2B79F5) & M32
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t = (t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return nxt


def generate(recipe):
    """Same float operations, in the same order, as test/golden-data.ts."""
    rnd = mulberry32(recipe["seed"])
    n, loc, scale = recipe["n"], recipe["loc"], recipe["scale"]
    kind = recipe["dist"]
    out = []
    for _ in range(n):
        if kind == "normal4":
            u = rnd() + rnd() + rnd() + rnd() - 2
            out.append(u * scale + loc)
        elif kind == "uniform":
            out.append(rnd() * scale + loc)
        elif kind == "levels":
            out.append(math.floor(rnd() * recipe["levels"]) * scale + loc)
        else:
            raise ValueError(kind)
    return np.array(out, dtype=np.float64)


def sample(spec):
    return np.array(spec, dtype=np.float64) if isinstance(spec, list) else generate(spec)


def num(x):
    """JSON number, or None for NaN / infinity (JSON has neither)."""
    x = float(x)
    return x if math.isfinite(x) else None


def rec(seed, n, dist="normal4", loc=0.0, scale=1.0, **extra):
    return {"seed": seed, "n": n, "dist": dist, "loc": loc, "scale": scale, **extra}


# --- numerical pairs: ties, constants, tiny and large samples --------------------------
NUMERICAL = [
    ("tiny 1 vs 1", [1.0], [2.0]),
    ("tiny 1 vs 1 equal", [3.0], [3.0]),
    ("tiny 2 vs 3", [0.5, 1.5], [1.0, 2.0, 3.0]),
    ("tiny 3 vs 3 half-integer en", [1.0, 2.0, 3.0], [2.5, 3.5, 4.5]),
    ("tiny 5 vs 5 en 2.5", [1.0, 2.0, 3.0, 4.0, 5.0], [1.5, 2.5, 3.5, 4.5, 5.5]),
    ("constant equal", [7.0] * 20, [7.0] * 30),
    ("constant different", [7.0] * 20, [8.0] * 30),
    ("constant reference", [0.5] * 50, [0.1 * i for i in range(40)]),
    ("ties small ints", [1, 1, 2, 2, 2, 3, 3, 4, 5, 5], [2, 2, 3, 3, 3, 3, 4, 4, 5, 6]),
    ("negative values", [-3.2, -1.0, -0.5, 0.0, 0.25, 1.75], [-2.0, -1.5, 0.5, 0.6, 2.0]),
    ("identical samples", rec(11, 500), rec(11, 500)),
    ("same distribution 800/800", rec(1, 800), rec(2, 800)),
    ("shift 0.1 sd 800/800", rec(3, 800), rec(4, 800, loc=0.1)),
    ("shift 0.25 sd 1000/300", rec(5, 1000), rec(6, 300, loc=0.25)),
    ("scale 1.3 1000/500", rec(7, 1000), rec(8, 500, scale=1.3)),
    ("ties 6 levels 600/400", rec(9, 600, "levels", levels=6), rec(10, 400, "levels", levels=6, loc=0.0)),
    ("ties 6 levels shifted", rec(12, 600, "levels", levels=6), rec(13, 400, "levels", levels=7)),
    ("wine-like alcohol 0.1 grid", rec(14, 900, "levels", loc=8.0, scale=0.1, levels=60),
     rec(15, 250, "levels", loc=8.3, scale=0.1, levels=60)),
    ("uniform 140/141", rec(16, 140, "uniform"), rec(17, 141, "uniform", loc=0.05)),
    ("uneven 50/5000", rec(18, 50), rec(19, 5000, loc=0.2)),
    ("large 10000/10000 no drift", rec(20, 10000), rec(21, 10000)),
    ("large 10000/10000 tiny shift", rec(22, 10000), rec(23, 10000, loc=0.03)),
    ("large 5000/100000 shift", rec(24, 5000), rec(25, 100000, loc=0.05)),
    ("large 10000/100000 strong shift", rec(26, 10000), rec(27, 100000, loc=1.5)),
    ("large 20000/20000 levels", rec(28, 20000, "levels", levels=40), rec(29, 20000, "levels", levels=41)),
]


def quantile_edges(sorted_ref, bins):
    """@wine/model quantileBinEdges: type-1 quantiles, duplicates and the maximum dropped."""
    n = len(sorted_ref)
    mx = sorted_ref[-1]
    edges = []
    for i in range(1, bins):
        rank = max(1, math.ceil((i / bins) * n - 1e-9))
        e = sorted_ref[rank - 1]
        if e < mx and (not edges or e > edges[-1]):
            edges.append(float(e))
    return np.array(edges)


def fill_zeroes(p):
    p = p.copy()
    nz = p[p != 0]
    m = nz.min()
    np.place(p, p == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return p


def psi(ref, cur, bins=10):
    edges = quantile_edges(np.sort(ref), bins)
    k = len(edges) + 1
    r = np.bincount(np.searchsorted(edges, ref, side="left"), minlength=k) / len(ref)
    c = np.bincount(np.searchsorted(edges, cur, side="left"), minlength=k) / len(cur)
    r, c = fill_zeroes(r), fill_zeroes(c)
    return float(np.sum((r - c) * np.log(r / c)))


def numerical_case(name, ref_spec, cur_spec):
    ref, cur = sample(ref_spec), sample(cur_spec)
    ks = stats.ks_2samp(ref, cur, method="asymp")
    wd = stats.wasserstein_distance(ref, cur)
    norm = max(float(np.std(ref)), 0.001)
    case = {
        "name": name,
        "reference": ref_spec,
        "current": cur_spec,
        "ks_statistic": num(ks.statistic),
        "ks_pvalue": num(ks.pvalue),
        "wasserstein": num(wd),
        "wasserstein_norm": num(wd / norm),
        "psi": psi(ref, cur),
        "n_unique": int(len(np.unique(np.concatenate([ref, cur])))),
    }
    if case["ks_pvalue"] is None:
        case["scipy_nan"] = "ks_pvalue: effective size round(n1*n2/(n1+n2)) is 0"
        case["ks_pvalue"] = 1.0  # what @wine/drift reports instead of NaN
    if len(np.unique(ref)) > 20:
        # Evidently's Jensen-Shannon for a many-valued numerical column: Sturges bins on ref ∪ cur.
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        rp = np.histogram(ref, bins)[0] / len(ref)
        cp = np.histogram(cur, bins)[0] / len(cur)
        case["jensenshannon"] = num(distance.jensenshannon(rp, cp))
    return case


# --- categorical pairs (counts per label) ---------------------------------------------
CATEGORICAL = [
    ("wine colours, same mix", {"red": 400, "white": 1200}, {"red": 100, "white": 300}),
    ("wine colours, white share 0.8", {"red": 400, "white": 1200}, {"red": 60, "white": 240}),
    ("wine colours, all white", {"red": 400, "white": 1200}, {"white": 250}),
    ("single label both sides", {"red": 50}, {"red": 70}),
    ("label absent from reference", {"a": 30, "b": 70}, {"a": 20, "b": 60, "c": 5}),
    ("three labels", {"a": 300, "b": 500, "c": 200}, {"a": 90, "b": 80, "c": 30}),
    ("tiny", {"x": 1, "y": 2}, {"x": 2, "y": 1}),
    ("large", {"red": 24_000, "white": 76_000}, {"red": 26_500, "white": 73_500}),
]


def expand(counts):
    return [k for k, c in counts.items() for _ in range(c)]


def z_test(ref, cur):
    # evidently/legacy/calculations/stattests/z_stattest.py
    if len(set(ref)) == 1 and len(set(cur)) == 1 and ref[0] == cur[0]:
        return 1.0, None
    keys = sorted(set(ref) | set(cur))
    r = np.array([0 if x == keys[0] else 1 for x in ref])
    c = np.array([0 if x == keys[0] else 1 for x in cur])
    n1, n2 = len(r), len(c)
    p1, p2 = float(sum(r)) / n1, float(sum(c)) / n2
    P = float(p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(P * (1 - P) * (1.0 / n1 + 1.0 / n2))
    return float(2 * (1 - stats.norm.cdf(np.abs(z)))), float(z)


def categorical_case(name, ref_counts, cur_counts):
    ref, cur = expand(ref_counts), expand(cur_counts)
    keys = list(set(ref) | set(cur))
    k_norm = len(cur) / len(ref)
    f_exp = [ref_counts.get(k, 0) * k_norm for k in keys]
    f_obs = [cur_counts.get(k, 0) for k in keys]
    with np.errstate(divide="ignore", invalid="ignore"):
        chi = stats.chisquare(f_obs, f_exp, sum_check=False)
    z_p, z_stat = z_test(ref, cur)
    rp = np.array([ref_counts.get(k, 0) / len(ref) for k in keys])
    cp = np.array([cur_counts.get(k, 0) / len(cur) for k in keys])
    case = {
        "name": name,
        "reference": ref_counts,
        "current": cur_counts,
        "chisquare_pvalue": num(chi.pvalue),
        "chisquare_statistic": num(chi.statistic),
        "z_pvalue": z_p,
        "z_statistic": z_stat,
        "jensenshannon": num(distance.jensenshannon(rp, cp)),
    }
    if case["chisquare_pvalue"] is None:
        case["scipy_nan"] = "chisquare: one category, 0 degrees of freedom"
        case["chisquare_pvalue"] = 1.0
        case["chisquare_statistic"] = 0.0
    return case


def kolmogorov_grid():
    out = []
    for n in [1, 2, 3, 7, 20, 100, 140, 141, 500, 1000, 9999, 50000]:
        for x in [0.3 / n, 0.5 / n, 0.8 / n, 1.0 / n, 1.7 / n, 3.0 / n,
                  0.002, 0.01, 0.03, 0.06, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 1 - 1.0 / n, 0.999]:
            if 0 < x < 1:
                out.append([n, x, float(stats.kstwo.sf(x, n))])
    return out


def empty_cases():
    """scipy on an empty side: NaN (ks_2samp) or ValueError (wasserstein_distance); we refuse it."""
    import warnings

    out = []
    for name, ref, cur in [("empty current", [1.0, 2.0], []), ("empty reference", [], [1.0])]:
        seen = {}
        for fn_name, fn in [
            ("ks_2samp", lambda: stats.ks_2samp(ref, cur, method="asymp").statistic),
            ("wasserstein_distance", lambda: stats.wasserstein_distance(ref, cur)),
        ]:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    result = fn()
                seen[fn_name] = "NaN" if math.isnan(result) else repr(float(result))
            except ValueError as error:
                seen[fn_name] = f"ValueError: {error}"
        out.append({"name": name, "reference": ref, "current": cur, "scipy": seen, "ours": "DRIFT_EMPTY_SAMPLE"})
    return out


def main():
    rng_check = mulberry32(42)
    cases = {
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__},
        "mulberry32_seed42": [rng_check() for _ in range(5)],
        "numerical": [numerical_case(*c) for c in NUMERICAL],
        "categorical": [categorical_case(*c) for c in CATEGORICAL],
        "kstwo_sf": kolmogorov_grid(),
        "empty": empty_cases(),
    }
    json.dump(cases, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
