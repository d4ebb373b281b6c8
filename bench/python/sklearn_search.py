"""scikit-learn peer of bench/src/search.bench.ts: the same 100-candidate tree grid and a
RandomForestRegressor(100, n_jobs=-1) on the train/test CSVs the TypeScript side wrote.
Prints one JSON line. Usage: sklearn_search.py TRAIN_CSV TEST_CSV REPEATS"""
import json
import sys
import time

try:
    import numpy as np
    import sklearn
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.tree import DecisionTreeRegressor
except ImportError as error:  # the bench records the peer as unavailable
    print(json.dumps({"available": False, "reason": f"import failed: {error}"}))
    sys.exit(0)


def rmse(y, p):
    return float(np.sqrt(np.mean((y - p) ** 2)))


def main():
    train = np.loadtxt(sys.argv[1], delimiter=",")
    test = np.loadtxt(sys.argv[2], delimiter=",")
    repeats = int(sys.argv[3])
    x, y = train[:, :12], train[:, 12]
    xt, yt = test[:, :12], test[:, 12]
    grid_seconds, best = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        results = []
        for depth in range(1, 21):
            for leaf in (1, 2, 5, 10, 20):
                model = DecisionTreeRegressor(max_depth=depth, min_samples_leaf=leaf, random_state=0)
                model.fit(x, y)
                results.append((rmse(yt, model.predict(xt)), depth, leaf))
        grid_seconds.append(time.perf_counter() - started)
        best = min(results)
    forest_seconds, forest_rmse = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        forest = RandomForestRegressor(n_estimators=100, n_jobs=-1, random_state=0).fit(x, y)
        forest_seconds.append(time.perf_counter() - started)
        forest_rmse = rmse(yt, forest.predict(xt))
    print(json.dumps({
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "grid": {
            "candidates": 100,
            "seconds": grid_seconds,
            "best": {"rmse": best[0], "maxDepth": best[1], "minSamplesLeaf": best[2]},
        },
        "forest": {"nEstimators": 100, "nJobs": -1, "seconds": forest_seconds, "rmse": forest_rmse},
    }))


main()
