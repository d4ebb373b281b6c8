# Sourced by .ci/run after mlflow.sh (set -Eeuo pipefail, $CACHE set): adds ONNX and ONNX Runtime
# to the MLflow venv, because `mlflow models serve --env-manager local` and mlflow.pyfunc load the
# model's python_function flavour in that same interpreter. The interop tests (issue 12) use them:
# onnx.checker, onnxruntime, mlflow.pyfunc.load_model and `mlflow models serve`.
# Idempotent, with its own stamp, so mlflow.sh's install is never redone for it.
# Keep in step with PYTHON_REQUIREMENTS in packages/model/src/export/mlflow-flavours.ts (a test checks).
ONNX_REQS="onnx==1.23.2 onnxruntime==1.31.1"
ONNX_VENV="$CACHE/venv-mlflow"
if [ "$(cat "$ONNX_VENV/.wine-onnx-reqs" 2>/dev/null)" != "$ONNX_REQS" ]; then
  echo "installing $ONNX_REQS into $ONNX_VENV"
  # shellcheck disable=SC2086 # the requirement list is meant to split into words
  "$ONNX_VENV/bin/pip" install --quiet --disable-pip-version-check $ONNX_REQS >"$CACHE/pip-onnx.log" 2>&1 \
    || { cat "$CACHE/pip-onnx.log"; exit 1; }
  printf '%s' "$ONNX_REQS" >"$ONNX_VENV/.wine-onnx-reqs"
fi
echo "onnx + onnxruntime $("$ONNX_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("onnx"), m.version("onnxruntime"))') in $ONNX_VENV (the tests use the Python next to MLFLOW_BIN)"
