"""The seed's serving architecture, as the benchmark's peer: Flask + gunicorn + scikit-learn.

A DecisionTreeRegressor(max_depth=8) is trained at import time on the same UCI files the
TypeScript benchmark model is trained on (WINE_DATA_DIR), so both sides do the same work per
row: parse JSON, build the feature vector, walk one depth-8 tree.

Run: gunicorn -w 2 -b 127.0.0.1:PORT --chdir bench/python flask_service:app
"""

import csv
import os

import numpy as np
from flask import Flask, jsonify, request
from sklearn.tree import DecisionTreeRegressor

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


def _load(data_dir):
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


def _train():
    data_dir = os.environ.get("WINE_DATA_DIR", "")
    x, y = _load(data_dir)
    return DecisionTreeRegressor(max_depth=8, random_state=0).fit(x, y)


MODEL = _train()
app = Flask(__name__)


def _vector(record):
    return [float(record[f]) for f in FEATURES] + [WINE_TYPE_CODE[record["wine_type"]]]


@app.post("/predict")
def predict():
    body = request.get_json()
    if isinstance(body, dict) and "instances" in body:
        x = np.asarray([_vector(r) for r in body["instances"]])
        return jsonify(predictions=MODEL.predict(x).tolist())
    quality = float(MODEL.predict(np.asarray([_vector(body)]))[0])
    return jsonify(quality=quality)


@app.get("/health")
def health():
    return jsonify(status="ok")
