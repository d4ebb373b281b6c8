"""scikit-learn peer of bench/src/inference.bench.ts: a depth-8 DecisionTreeRegressor on the
same train CSV, scoring a batch built the same way (rows of train then test, tiled to
BATCH rows). Prints one JSON line. Usage: sklearn_predict.py TRAIN_CSV TEST_CSV BATCH REPEATS"""
import json
import sys
import time

try:
    import numpy as np
    import sklearn
    from sklearn.tree import DecisionTreeRegressor
except ImportError as error:  # the bench records the peer as unavailable
    print(json.dumps({"available": False, "reason": f"import failed: {error}"}))
    sys.exit(0)


def main():
    train = np.loadtxt(sys.argv[1], delimiter=",")
    test = np.loadtxt(sys.argv[2], delimiter=",")
    batch, repeats = int(sys.argv[3]), int(sys.argv[4])
    model = DecisionTreeRegressor(max_depth=8, random_state=0).fit(train[:, :12], train[:, 12])
    rows = np.vstack([train[:, :12], test[:, :12]])
    x = np.ascontiguousarray(rows[np.arange(batch) % rows.shape[0]])
    model.predict(x[:1000])
    seconds, cpu_seconds = [], []
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        model.predict(x)
        seconds.append(time.perf_counter() - started)
        cpu_seconds.append(time.process_time() - cpu_started)
    print(json.dumps({
        "sklearn": sklearn.__version__,
        "batch": batch,
        "seconds": seconds,
        "cpuSeconds": cpu_seconds,
        "nodes": int(model.tree_.node_count),
        "depth": int(model.get_depth()),
    }))


main()
