/**
 * The Python environment every model directory declares (requirements.txt, conda.yaml) must
 * be the one CI tests the flavours in: the pins in .ci/services/{mlflow,onnx}.sh.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PYTHON_REQUIREMENTS } from '@wine/model';

const services = path.join(__dirname, '..', '..', '..', '.ci', 'services');

function assignment(file: string, name: string): string {
  const text = readFileSync(path.join(services, file), 'utf8');
  const match = new RegExp(`^${name}="?([^"\\n]*)"?$`, 'm').exec(text);
  if (!match?.[1]) throw new Error(`${name}= not found in ${file}`);
  return match[1];
}

it('model directories pin the MLflow, ONNX and onnxruntime versions CI tests with', () => {
  const mlflow = assignment('mlflow.sh', 'MLFLOW_VERSION');
  const onnx = assignment('onnx.sh', 'ONNX_REQS').split(' ');
  expect([...PYTHON_REQUIREMENTS]).toEqual([`mlflow==${mlflow}`, ...onnx]);
});
