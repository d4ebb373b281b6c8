"""Flask + gunicorn + scikit-learn, as the service benchmark's peer.

A DecisionTreeRegressor(max_depth=8) is trained at import time on the same UCI files the
TypeScript benchmark model is trained on (WINE_DATA_DIR), so both sides do the same work per
row: parse JSON, build the feature vector, walk one depth-8 tree.

Run it as a Flask user deploys it for throughput — gunicorn's threaded workers, which keep
connections alive (sync workers close every connection after one request):

    gunicorn -k gthread -w 2 --threads 4 --keep-alive 5 -b 127.0.0.1:PORT \
        --chdir bench/python flask_service:app
"""

import os

import numpy as np
from flask import Flask, jsonify, request
from sklearn.tree import DecisionTreeRegressor

from wine_data import FEATURES, WINE_TYPE_CODE, load


def _train():
    x, y = load(os.environ.get("WINE_DATA_DIR", ""))
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
