"""scikit-learn peer of the forest rows of bench/src/search.bench.ts, timed in rounds
interleaved with ours (the bench alternates one of our fits and one of these), so both sides
see the same load on a shared machine instead of one block each minutes apart.

RandomForestRegressor(n_estimators=100, random_state=0).fit(x, y) as a user writes it, with
n_jobs=1 (native thread pools limited to one thread with threadpoolctl, as in
sklearn_search.py) or n_jobs=-1 (all cores; joblib's threading backend, the one
scikit-learn's forests use). One untimed fit of each kind warms up first, as the bench warms
ours; every timed fit is a fresh estimator, as a user's next call is.

Usage: sklearn_forest_rounds.py TRAIN_CSV TEST_CSV, then one line per fit on stdin: "1" or
"-1" (n_jobs). Prints one JSON line at start (versions, cores) and one per fit (wall seconds
and the held-out RMSE)."""
import json
import os
import sys
import time

try:
    import joblib
    import numpy as np
    import sklearn
    from sklearn.ensemble import RandomForestRegressor
    from threadpoolctl import threadpool_limits
except ImportError as error:  # the bench records the peer as unavailable
    print(json.dumps({"available": False, "reason": f"import failed: {error}"}), flush=True)
    sys.exit(0)


def fit(x, y, n_jobs):
    return RandomForestRegressor(n_estimators=100, n_jobs=n_jobs, random_state=0).fit(x, y)


def timed_fit(x, y, n_jobs):
    started = time.perf_counter()
    if n_jobs == 1:
        with threadpool_limits(limits=1):
            model = fit(x, y, n_jobs)
    else:
        model = fit(x, y, n_jobs)
    return time.perf_counter() - started, model


def main():
    train = np.loadtxt(sys.argv[1], delimiter=",")
    test = np.loadtxt(sys.argv[2], delimiter=",")
    x, y = train[:, :12], train[:, 12]
    xt, yt = test[:, :12], test[:, 12]
    for n_jobs in (1, -1):
        timed_fit(x, y, n_jobs)
    print(json.dumps({
        "available": True,
        "sklearn": sklearn.__version__,
        "numpy": np.__version__,
        "joblib": joblib.__version__,
        "cores": os.cpu_count(),
    }), flush=True)
    for line in sys.stdin:
        n_jobs = int(line)
        seconds, model = timed_fit(x, y, n_jobs)
        rmse = float(np.sqrt(np.mean((yt - model.predict(xt)) ** 2)))
        print(json.dumps({"nJobs": n_jobs, "seconds": seconds, "rmse": rmse}), flush=True)


main()
