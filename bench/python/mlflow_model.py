"""Saves the MLflow peer of the service benchmark: the same DecisionTreeRegressor(max_depth=8)
as flask_service.py, trained on a DataFrame of the 12 columns (wine_type as 0/1) and saved
with mlflow.sklearn (signature + input example), for `mlflow models serve`:

    python mlflow_model.py OUT_DIR        # WINE_DATA_DIR = the UCI files
    mlflow models serve -m OUT_DIR -w 2 --env-manager local -h 127.0.0.1 -p PORT

Requests: POST /invocations {"dataframe_split": {"columns": [...], "data": [[...]]}}.
"""

import os
import sys

import mlflow.sklearn
import pandas as pd
from mlflow.models import infer_signature
from sklearn.tree import DecisionTreeRegressor

from wine_data import COLUMNS, load


def main(out_dir):
    x, y = load(os.environ.get("WINE_DATA_DIR", ""))
    frame = pd.DataFrame(x, columns=COLUMNS)
    model = DecisionTreeRegressor(max_depth=8, random_state=0).fit(frame, y)
    example = frame.head(5)
    mlflow.sklearn.save_model(
        model,
        out_dir,
        signature=infer_signature(example, model.predict(example)),
        input_example=example,
        # We made the file ourselves; skops refuses the tree's node storage unless trusted.
        skops_trusted_types=["sklearn.tree._tree.Tree"],
    )


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python mlflow_model.py OUT_DIR")
    main(sys.argv[1])
