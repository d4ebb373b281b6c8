/**
 * The `onnx` and `python_function` flavours of our model directory, and the Python
 * environment files MLflow reads to rebuild an interpreter for them. Field names follow what
 * MLflow 3.17's `mlflow.onnx.save_model` and `mlflow.pyfunc.add_to_model` write, with one
 * difference: python_function loads through our tiny loader module (code/wine_quality_onnx.py)
 * instead of mlflow.onnx, because the contract's DataFrame has a string column (wine_type)
 * that must be encoded before it reaches the float tensor.
 */
import { stringify } from 'yaml';
import { DEFAULT_ONNX_OP, type OnnxTreeOp } from './onnx-model';

export const ONNX_FILE = 'model.onnx';
export const CODE_DIR = 'code';
export const PYFUNC_LOADER_MODULE = 'wine_quality_onnx';
export const CONDA_FILE = 'conda.yaml';
export const PYTHON_ENV_FILE = 'python_env.yaml';
export const REQUIREMENTS_FILE = 'requirements.txt';

/** The versions CI tests the flavours with; keep in step with .ci/services/{mlflow,onnx}.sh (a test checks). */
export const PYTHON_VERSION = '3.11';
export const ONNX_VERSION = '1.23.2';
export const PYTHON_REQUIREMENTS: readonly string[] = Object.freeze([
  'mlflow==3.17.2',
  `onnx==${ONNX_VERSION}`,
  'onnxruntime==1.31.1',
]);

export function mlflowFlavours(op: OnnxTreeOp = DEFAULT_ONNX_OP): Record<string, unknown> {
  return {
    onnx: {
      code: null,
      data: ONNX_FILE,
      onnx_session_options: null,
      onnx_version: ONNX_VERSION,
      operator: op,
      // onnxruntime has no GPU kernels for tree ensembles.
      providers: ['CPUExecutionProvider'],
    },
    python_function: {
      code: CODE_DIR,
      data: ONNX_FILE,
      env: { conda: CONDA_FILE, virtualenv: PYTHON_ENV_FILE },
      loader_module: PYFUNC_LOADER_MODULE,
      python_version: PYTHON_VERSION,
    },
  };
}

/** conda.yaml, python_env.yaml and requirements.txt, as MLflow lays them out. */
export function pythonEnvFiles(): ReadonlyArray<readonly [string, string]> {
  const conda = {
    channels: ['conda-forge'],
    dependencies: [`python=${PYTHON_VERSION}`, 'pip', { pip: [...PYTHON_REQUIREMENTS] }],
    name: 'mlflow-env',
  };
  const pythonEnv = {
    python: PYTHON_VERSION,
    build_dependencies: ['pip', 'setuptools', 'wheel'],
    dependencies: [`-r ${REQUIREMENTS_FILE}`],
  };
  return [
    [CONDA_FILE, stringify(conda)],
    [PYTHON_ENV_FILE, stringify(pythonEnv)],
    [REQUIREMENTS_FILE, `${PYTHON_REQUIREMENTS.join('\n')}\n`],
  ];
}
