"""The UCI wine files as the benchmark peers read them: 11 measurements + wine_type code.

Shared by flask_service.py and mlflow_model.py so both peers train the same tree the
TypeScript side trains (DecisionTreeRegressor(max_depth=8) on red + white).
"""

import csv
import os

import numpy as np

FEATURES = [
    "fixed_acidity",
    "volatile_acidity",
    "citric_acid",
    "residual_sugar",
    "chlorides",
    "free_sulfur_dioxide",
    "total_sulfur_dioxide",
    "density",
    "ph",
    "sulphates",
    "alcohol",
]
WINE_TYPE_CODE = {"red": 0.0, "white": 1.0}
COLUMNS = FEATURES + ["wine_type"]


def load(data_dir):
    """Rows (wine_type as 0/1) and quality targets of both colours, as numpy arrays."""
    rows, targets = [], []
    for colour in ("red", "white"):
        path = os.path.join(data_dir, f"winequality-{colour}.csv")
        with open(path, newline="") as handle:
            sample = handle.readline()
            handle.seek(0)
            delimiter = ";" if sample.count(";") > sample.count(",") else ","
            for record in csv.DictReader(handle, delimiter=delimiter):
                record = {k.strip().strip('"').replace(" ", "_").lower(): v for k, v in record.items()}
                rows.append([float(record[f]) for f in FEATURES] + [WINE_TYPE_CODE[colour]])
                targets.append(float(record["quality"]))
    return np.asarray(rows), np.asarray(targets)
