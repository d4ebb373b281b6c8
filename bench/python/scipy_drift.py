"""Peer for `pnpm run bench drift`: the same per-column drift work with numpy/scipy, the
formulas Evidently runs (legacy stattests): wasserstein_distance / max(std, 0.001) per
feature (or ks_2samp, method="asymp"), Jensen-Shannon over the colour shares.

usage: scipy_drift.py <reference.f64> <n_ref> <current.f64> <n_cur> <method> <repeats>
prints one JSON line: {"seconds": [...], "cpuSeconds": [...], "versions": {...}}
"""
import json
import sys
import time

try:
    import numpy as np
    import scipy
    from scipy import stats
    from scipy.spatial import distance
except ImportError as error:  # the harness reports the peer as unavailable
    print(json.dumps({"available": False, "reason": f"numpy/scipy missing: {error}"}))
    sys.exit(0)

FEATURES = 11


def load(path, n):
    return np.fromfile(path, dtype=np.float64).reshape(FEATURES + 1, n)


def drift(ref, cur, method):
    scores = []
    for c in range(FEATURES):
        r, k = ref[c], cur[c]
        if method == "ks":
            scores.append(stats.ks_2samp(r, k, method="asymp").pvalue)
        else:
            scores.append(stats.wasserstein_distance(r, k) / max(np.std(r), 0.001))
    keys = [0.0, 1.0]
    rp = np.array([np.mean(ref[FEATURES] == v) for v in keys])
    cp = np.array([np.mean(cur[FEATURES] == v) for v in keys])
    scores.append(distance.jensenshannon(rp, cp))
    return scores


def main():
    ref = load(sys.argv[1], int(sys.argv[2]))
    cur = load(sys.argv[3], int(sys.argv[4]))
    method, repeats = sys.argv[5], int(sys.argv[6])
    drift(ref, cur, method)  # warm-up
    wall, cpu, scores = [], [], None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        scores = drift(ref, cur, method)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    print(json.dumps({
        "seconds": wall,
        "cpuSeconds": cpu,
        "scores": [float(s) for s in scores],
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "python": sys.version.split()[0]},
    }))


if __name__ == "__main__":
    main()
