"""scikit-learn peer of bench/src/search.bench.ts, written as a scikit-learn user would:

- the 100-candidate tree grid (max_depth 1-20 x min_samples_leaf {1,2,5,10,20}) through
  GridSearchCV with a PredefinedSplit (fit on the train rows, score RMSE on the held-out rows,
  no refit: the same work as our runSearch), once with n_jobs=1 (one thread) and once with
  n_jobs=-1 (joblib's default loky backend, one process per core);
- the same grid as a plain sequential loop (no GridSearchCV overhead), for reference.

The forest peer (RandomForestRegressor, n_jobs=1 and -1) is sklearn_forest_rounds.py, timed in
rounds alternating with our forest fits.

Native thread pools (OpenMP/BLAS) are limited to one thread with threadpoolctl in the
one-thread measurements (scikit-learn's trees do not use them, but scoring may).
Prints one JSON line. Usage: sklearn_search.py TRAIN_CSV TEST_CSV REPEATS"""
import json
import os
import sys
import time

try:
    import joblib
    import numpy as np
    import sklearn
    from sklearn.model_selection import GridSearchCV, PredefinedSplit
    from sklearn.tree import DecisionTreeRegressor
    from threadpoolctl import threadpool_limits
except ImportError as error:  # the bench records the peer as unavailable
    print(json.dumps({"available": False, "reason": f"import failed: {error}"}))
    sys.exit(0)

GRID = {"max_depth": list(range(1, 21)), "min_samples_leaf": [1, 2, 5, 10, 20]}


def rmse(y, p):
    return float(np.sqrt(np.mean((y - p) ** 2)))


def timed(fn, repeats):
    """Wall and CPU seconds (this process only: joblib's workers are not counted) per repeat."""
    wall, cpu, result = [], [], None
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return wall, cpu, result


def grid_search(x, y, test_fold, n_jobs):
    search = GridSearchCV(
        DecisionTreeRegressor(random_state=0),
        GRID,
        scoring="neg_root_mean_squared_error",
        cv=PredefinedSplit(test_fold),
        n_jobs=n_jobs,
        refit=False,
    )
    search.fit(x, y)
    return {
        "rmse": float(-search.best_score_),
        "maxDepth": int(search.best_params_["max_depth"]),
        "minSamplesLeaf": int(search.best_params_["min_samples_leaf"]),
    }


def plain_loop(x, y, xt, yt):
    results = []
    for depth in GRID["max_depth"]:
        for leaf in GRID["min_samples_leaf"]:
            model = DecisionTreeRegressor(max_depth=depth, min_samples_leaf=leaf, random_state=0)
            model.fit(x, y)
            results.append((rmse(yt, model.predict(xt)), depth, leaf))
    best = min(results)
    return {"rmse": best[0], "maxDepth": best[1], "minSamplesLeaf": best[2]}


def main():
    train = np.loadtxt(sys.argv[1], delimiter=",")
    test = np.loadtxt(sys.argv[2], delimiter=",")
    repeats = int(sys.argv[3])
    x, y = train[:, :12], train[:, 12]
    xt, yt = test[:, :12], test[:, 12]
    x_all, y_all = np.vstack([x, xt]), np.concatenate([y, yt])
    test_fold = np.concatenate([np.full(len(y), -1), np.zeros(len(yt), dtype=int)])

    with threadpool_limits(limits=1):
        one_wall, one_cpu, one_best = timed(lambda: grid_search(x_all, y_all, test_fold, 1), repeats)
        loop_wall, loop_cpu, loop_best = timed(lambda: plain_loop(x, y, xt, yt), repeats)
    # The first parallel call starts joblib's worker processes; users pay that once per
    # session, so it is measured apart from the repeats (which reuse the workers).
    started = time.perf_counter()
    grid_search(x_all, y_all, test_fold, -1)
    all_first = time.perf_counter() - started
    all_wall, _, all_best = timed(lambda: grid_search(x_all, y_all, test_fold, -1), repeats)
    print(json.dumps({
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
        "cores": os.cpu_count(),
        "gridSearchOneThread": {
            "code": "GridSearchCV(DecisionTreeRegressor(random_state=0), grid, cv=PredefinedSplit, "
                    "scoring='neg_root_mean_squared_error', refit=False, n_jobs=1)",
            "candidates": 100,
            "seconds": one_wall,
            "cpuSeconds": one_cpu,
            "best": one_best,
        },
        "gridSearchAllCores": {
            "code": "the same with n_jobs=-1 (joblib loky, one process per core)",
            "nJobs": -1,
            "firstCallSeconds": all_first,
            "seconds": all_wall,
            "best": all_best,
        },
        "plainLoop": {
            "code": "for depth, leaf: DecisionTreeRegressor(...).fit(x, y); rmse(predict(xt))",
            "seconds": loop_wall,
            "cpuSeconds": loop_cpu,
            "best": loop_best,
        },
    }))


main()
