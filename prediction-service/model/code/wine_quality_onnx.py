"""MLflow python_function loader for the wine-quality tree ensemble in model.onnx.

@wine/model copies this file into the code/ folder of every model directory it writes
(MLmodel: python_function.loader_module). predict() takes a pandas DataFrame with the
contract's columns (11 measurements and wine_type "red" / "white"), encodes it as the ONNX
file's metadata says (column order, wine_type codes) and returns the quality as float64.
"""

import json

import numpy as np
import onnxruntime
import pandas as pd

COLUMNS_KEY = "wine_quality.input_columns"
WINE_TYPE_KEY = "wine_quality.wine_type_encoding"


class WineQualityOnnx:
    def __init__(self, path):
        # Tree ensembles have CPU kernels only in onnxruntime.
        self.session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        meta = self.session.get_modelmeta().custom_metadata_map
        self.columns = json.loads(meta[COLUMNS_KEY])
        self.wine_type_codes = json.loads(meta[WINE_TYPE_KEY])
        self.input_name = self.session.get_inputs()[0].name

    def predict(self, data, params=None):
        frame = data if isinstance(data, pd.DataFrame) else pd.DataFrame(data)
        missing = [c for c in self.columns if c not in frame.columns]
        if missing:
            raise ValueError(f"input lacks column(s) {', '.join(missing)}")
        x = np.empty((len(frame), len(self.columns)), dtype=np.float32)
        for j, name in enumerate(self.columns):
            values = frame[name]
            if name == "wine_type":
                values = values.map(self.wine_type_codes)
                if values.isna().any():
                    bad = frame[name][values.isna()].iloc[0]
                    raise ValueError(
                        f"wine_type must be one of {sorted(self.wine_type_codes)}, got {bad!r}"
                    )
            # float64 first, then one round-to-nearest into float32, as the thresholds assume.
            x[:, j] = values.to_numpy(dtype=np.float64)
        (quality,) = self.session.run(None, {self.input_name: x})
        return quality.reshape(-1).astype(np.float64)


def _load_pyfunc(path):
    """Called by mlflow.pyfunc.load_model with the path of the flavour's `data` (model.onnx)."""
    return WineQualityOnnx(path)
