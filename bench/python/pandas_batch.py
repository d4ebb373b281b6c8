"""pandas + scikit-learn peer of bench/src/batch.bench.ts: what a data team writes for batch
scoring — read_csv, predict with a DecisionTreeRegressor(max_depth=8, random_state=0) fitted on
the same train.csv as our tree, to_csv of the input columns + prediction. The fit is not timed;
read + predict + write is, like ours. Prints one JSON line.
Usage: pandas_batch.py TRAIN_CSV INPUT_CSV OUTPUT_CSV REPEATS"""
import json
import resource
import sys
import time

try:
    import numpy as np
    import pandas as pd
    import sklearn
    from sklearn.tree import DecisionTreeRegressor
except ImportError as error:  # the bench records the peer as unavailable
    print(json.dumps({"available": False, "reason": f"import failed: {error}"}))
    sys.exit(0)

FEATURES = [
    "fixed_acidity", "volatile_acidity", "citric_acid", "residual_sugar", "chlorides",
    "free_sulfur_dioxide", "total_sulfur_dioxide", "density", "ph", "sulphates", "alcohol",
]


def main():
    train = np.loadtxt(sys.argv[1], delimiter=",")
    source, output, repeats = sys.argv[2], sys.argv[3], int(sys.argv[4])
    model = DecisionTreeRegressor(max_depth=8, random_state=0).fit(train[:, :12], train[:, 12])
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        frame = pd.read_csv(source)
        x = frame[FEATURES].to_numpy(dtype=np.float64)
        colour = (frame["wine_type"] == "white").to_numpy(dtype=np.float64)
        frame["prediction"] = model.predict(np.column_stack([x, colour]))
        frame.to_csv(output, index=False)
        seconds.append(time.perf_counter() - started)
    print(json.dumps({
        "pandas": pd.__version__,
        "sklearn": sklearn.__version__,
        "rows": int(len(frame)),
        "seconds": seconds,
        "maxRssMegabytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


main()
