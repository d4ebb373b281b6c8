import { MlflowClientError } from './errors';

/**
 * Parsing of `models:/` and `runs:/` URIs, following MLflow's `_parse_model_uri` and
 * `RunsArtifactRepository.parse_runs_uri` (3.17.2): a registered model name cannot contain a
 * slash; `models:/<one segment without @>` is a LoggedModel id; a non-numeric second segment
 * is a (deprecated) stage, `latest` the newest version.
 */
export type ModelUri =
  | { readonly kind: 'version'; readonly name: string; readonly version: string }
  | { readonly kind: 'alias'; readonly name: string; readonly alias: string }
  | { readonly kind: 'latest'; readonly name: string }
  | { readonly kind: 'stage'; readonly name: string; readonly stage: string }
  | { readonly kind: 'logged-model'; readonly modelId: string }
  | { readonly kind: 'run'; readonly runId: string; readonly path: string };

function invalid(uri: string, why: string): MlflowClientError {
  return new MlflowClientError(
    'MLFLOW_INVALID_URI',
    `Invalid model URI ${JSON.stringify(uri)}: ${why}. Use models:/<name>/<version>, ` +
      'models:/<name>@<alias>, models:/<model_id> or runs:/<run_id>/<path>.',
  );
}

export function parseModelUri(uri: string): ModelUri {
  const match = /^(models|runs):(.*)$/.exec(uri.trim());
  if (!match) throw invalid(uri, 'the scheme must be models: or runs:');
  const [, scheme, rest = ''] = match;
  if (!rest.startsWith('/') || rest.startsWith('//')) {
    throw invalid(uri, `expected ${String(scheme)}:/ followed by a path (no host part)`);
  }
  const path = rest.slice(1);
  if (scheme === 'runs') {
    const [runId = '', ...artifactPath] = path.split('/');
    if (!/^[a-zA-Z0-9][\w-]{0,255}$/.test(runId)) throw invalid(uri, 'missing or malformed run id');
    return { kind: 'run', runId, path: artifactPath.filter((p) => p !== '').join('/') };
  }
  const parts = path.split('/');
  const [first = '', second] = parts;
  if (parts.length > 2 || first.trim() === '') throw invalid(uri, 'expected one or two segments');
  if (second !== undefined) {
    if (second.trim() === '') throw invalid(uri, 'empty version');
    if (/^\d+$/.test(second)) return { kind: 'version', name: first, version: second };
    if (second.toLowerCase() === 'latest') return { kind: 'latest', name: first };
    return { kind: 'stage', name: first, stage: second };
  }
  const at = first.lastIndexOf('@');
  if (at >= 0) {
    const name = first.slice(0, at);
    const alias = first.slice(at + 1);
    if (name.trim() === '' || alias.trim() === '') throw invalid(uri, 'empty name or alias');
    return { kind: 'alias', name, alias };
  }
  return { kind: 'logged-model', modelId: first };
}

export function formatModelUri(uri: ModelUri): string {
  switch (uri.kind) {
    case 'version':
      return `models:/${uri.name}/${uri.version}`;
    case 'alias':
      return `models:/${uri.name}@${uri.alias}`;
    case 'latest':
      return `models:/${uri.name}/latest`;
    case 'stage':
      return `models:/${uri.name}/${uri.stage}`;
    case 'logged-model':
      return `models:/${uri.modelId}`;
    case 'run':
      return `runs:/${uri.runId}${uri.path === '' ? '' : `/${uri.path}`}`;
  }
}
