/**
 * Every REST path this client calls, checked against MLflow 3.17.2's service protos
 * (`extract_api_info_for_service` on service_pb2 / model_registry_pb2 / mlflow_artifacts_pb2).
 * Methods matter: GET endpoints take query strings, the rest a JSON body — including the
 * registry's DELETE endpoints, which ignore query parameters.
 */
const API = '/api/2.0/mlflow';

export const ENDPOINTS = {
  getExperimentByName: { method: 'GET', path: `${API}/experiments/get-by-name` },
  getExperiment: { method: 'GET', path: `${API}/experiments/get` },
  createExperiment: { method: 'POST', path: `${API}/experiments/create` },
  restoreExperiment: { method: 'POST', path: `${API}/experiments/restore` },

  createRun: { method: 'POST', path: `${API}/runs/create` },
  updateRun: { method: 'POST', path: `${API}/runs/update` },
  getRun: { method: 'GET', path: `${API}/runs/get` },
  setTag: { method: 'POST', path: `${API}/runs/set-tag` },
  logBatch: { method: 'POST', path: `${API}/runs/log-batch` },
  logInputs: { method: 'POST', path: `${API}/runs/log-inputs` },
  logOutputs: { method: 'POST', path: `${API}/runs/outputs` },
  searchRuns: { method: 'POST', path: `${API}/runs/search` },
  getMetricHistory: { method: 'GET', path: `${API}/metrics/get-history` },

  createLoggedModel: { method: 'POST', path: `${API}/logged-models` },
  getLoggedModel: { method: 'GET', path: (id: string) => `${API}/logged-models/${enc(id)}` },
  finalizeLoggedModel: { method: 'PATCH', path: (id: string) => `${API}/logged-models/${enc(id)}` },
  logLoggedModelParams: {
    method: 'POST',
    path: (id: string) => `${API}/logged-models/${enc(id)}/params`,
  },
  setLoggedModelTags: {
    method: 'PATCH',
    path: (id: string) => `${API}/logged-models/${enc(id)}/tags`,
  },
  searchLoggedModels: { method: 'POST', path: `${API}/logged-models/search` },

  createRegisteredModel: { method: 'POST', path: `${API}/registered-models/create` },
  getRegisteredModel: { method: 'GET', path: `${API}/registered-models/get` },
  createModelVersion: { method: 'POST', path: `${API}/model-versions/create` },
  getModelVersion: { method: 'GET', path: `${API}/model-versions/get` },
  searchModelVersions: { method: 'GET', path: `${API}/model-versions/search` },
  setModelVersionTag: { method: 'POST', path: `${API}/model-versions/set-tag` },
  getModelVersionDownloadUri: { method: 'GET', path: `${API}/model-versions/get-download-uri` },
  setAlias: { method: 'POST', path: `${API}/registered-models/alias` },
  getModelVersionByAlias: { method: 'GET', path: `${API}/registered-models/alias` },
  deleteAlias: { method: 'DELETE', path: `${API}/registered-models/alias` },

  /** Artifact proxy (`mlflow server --serve-artifacts`, on by default). */
  artifacts: { path: (relative: string) => `/api/2.0/mlflow-artifacts/artifacts${relative}` },
} as const;

/** Encode each segment, keep the slashes: artifact paths are hierarchical. */
export function encodePath(path: string): string {
  return path
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}
