"""scikit-learn peer of bench/src/inference.bench.ts: a depth-8 DecisionTreeRegressor and a
RandomForestRegressor(n_estimators=100, random_state=0, n_jobs=1) fitted on the same train
CSV, scoring a batch built the same way (rows of train then test, tiled to BATCH rows;
FOREST_BATCH rows for the forest).

scikit-learn's trees compare in float32: a float64 array is converted (copied and validated)
on every predict call, so the batch is handed over as C-contiguous float32, as a user who
cares would, and float64 is measured too. One thread: n_jobs=1 for the forest and
threadpoolctl limiting every native pool (OpenMP, BLAS) to one thread.
Prints one JSON line. Usage: sklearn_predict.py TRAIN_CSV TEST_CSV BATCH REPEATS FOREST_BATCH"""
import json
import sys
import time

try:
    import numpy as np
    import sklearn
    from sklearn.ensemble import RandomForestRegressor
    from sklearn.tree import DecisionTreeRegressor
    from threadpoolctl import threadpool_limits
except ImportError as error:  # the bench records the peer as unavailable
    print(json.dumps({"available": False, "reason": f"import failed: {error}"}))
    sys.exit(0)


def timed(model, x, repeats):
    model.predict(x[:1000])
    seconds, cpu_seconds = [], []
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        model.predict(x)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    return {"rows": int(x.shape[0]), "dtype": str(x.dtype), "seconds": seconds, "cpuSeconds": cpu_seconds}


def main():
    train = np.loadtxt(sys.argv[1], delimiter=",")
    test = np.loadtxt(sys.argv[2], delimiter=",")
    batch, repeats, forest_batch = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    x_train, y_train = train[:, :12], train[:, 12]
    rows = np.vstack([x_train, test[:, :12]])
    x64 = np.ascontiguousarray(rows[np.arange(batch) % rows.shape[0]])
    x32 = np.ascontiguousarray(x64, dtype=np.float32)
    with threadpool_limits(limits=1):
        tree = DecisionTreeRegressor(max_depth=8, random_state=0).fit(x_train, y_train)
        forest = RandomForestRegressor(n_estimators=100, random_state=0, n_jobs=1).fit(
            x_train, y_train
        )
        result = {
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
            "threads": "1 (n_jobs=1, threadpoolctl threadpool_limits(1))",
            "tree": {
                "nodes": int(tree.tree_.node_count),
                "depth": int(tree.get_depth()),
                "float32": timed(tree, x32, repeats),
                "float64": timed(tree, x64, repeats),
            },
            "forest": {
                "nEstimators": 100,
                "nJobs": 1,
                "nodes": int(sum(t.tree_.node_count for t in forest.estimators_)),
                "float32": timed(forest, x32[:forest_batch], max(3, repeats // 3)),
                "float64": timed(forest, x64[:forest_batch], max(3, repeats // 3)),
            },
        }
    print(json.dumps(result))


main()
