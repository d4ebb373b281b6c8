"""Scores data with model directories through real Python runtimes, for onnx-runtimes.integ.test.ts.

usage: score_model_dirs.py <frame.json> <model dir>...
frame.json holds the rows in pandas "split" orientation ({"columns": [...], "data": [...]}).
Prints one JSON object: per model directory, what onnx.checker, onnxruntime (fed the documented
encoding by hand), mlflow.onnx and mlflow.pyfunc (through the python_function flavour) say.
"""

import json
import sys

import mlflow.onnx
import mlflow.pyfunc
import numpy as np
import onnx
import onnxruntime
import pandas as pd
from mlflow.models import validate_serving_input


def error_of(call):
    try:
        call()
    except Exception as error:  # the message is what the test checks
        return f"{type(error).__name__}: {error}"
    return None


def score(model_dir, frame):
    path = f"{model_dir}/model.onnx"
    onnx.checker.check_model(onnx.load(path), full_check=True)  # raises if invalid
    # The ONNX contract as the README documents it: 12 float32 columns, wine_type red=0 white=1.
    x = frame.assign(wine_type=frame["wine_type"].map({"red": 0, "white": 1})).to_numpy(np.float32)
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    (onnx_out,) = session.run(None, {"features": x})
    model = mlflow.pyfunc.load_model(model_dir)
    with open(f"{model_dir}/serving_input_example.json") as f:
        served_example = validate_serving_input(model_dir, f.read())
    return {
        "checker": "ok",
        "onnx_flavour_ops": [n.op_type for n in mlflow.onnx.load_model(model_dir).graph.node],
        "onnxruntime": onnx_out.reshape(-1).tolist(),
        "pyfunc": np.asarray(model.predict(frame), dtype=np.float64).tolist(),
        "pyfunc_input_schema": model.metadata.get_input_schema().input_names(),
        "serving_example": np.asarray(served_example, dtype=np.float64).tolist(),
        "missing_column": error_of(lambda: model.predict(frame.drop(columns=["alcohol"]))),
        "bad_wine_type": error_of(lambda: model.predict(frame.head(2).assign(wine_type="rose"))),
    }


def main():
    with open(sys.argv[1]) as f:
        split = json.load(f)
    frame = pd.DataFrame(split["data"], columns=split["columns"])
    print(json.dumps({d: score(d, frame) for d in sys.argv[2:]}))


if __name__ == "__main__":
    main()
