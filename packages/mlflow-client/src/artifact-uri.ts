import { MlflowClientError } from './errors';

/**
 * Maps artifact URIs onto the tracking server's artifact proxy, like MLflow's
 * `MlflowArtifactsRepository.resolve_uri`. Runs, experiments and LoggedModels created while
 * the server proxies artifacts get `mlflow-artifacts:/<experiment>/<run>/artifacts` style
 * locations; the server maps them onto `--artifacts-destination` (a directory, wasbs://, s3://).
 * The client needs no storage credentials. A host inside `mlflow-artifacts://host/...` is
 * ignored on purpose: requests always go to the configured tracking URI, which carries auth.
 */

const PROXY_MARKER = '/api/2.0/mlflow-artifacts/artifacts';

/** Collapse duplicate slashes, drop leading/trailing ones and refuse `..` / `.` segments. */
export function normaliseArtifactPath(path: string): string {
  const segments = path.split('/').filter((s) => s !== '');
  for (const segment of segments) {
    if (segment === '..' || segment === '.') {
      throw new MlflowClientError(
        'MLFLOW_INVALID_ARGUMENT',
        `Artifact path ${JSON.stringify(path)} may not contain "." or ".." segments.`,
      );
    }
  }
  return segments.join('/');
}

export function joinArtifactPath(...parts: readonly string[]): string {
  return normaliseArtifactPath(parts.filter((p) => p !== '').join('/'));
}

/** `mlflow-artifacts:/1/abc/artifacts` → `1/abc/artifacts` (relative to the proxy root). */
export function artifactProxyPath(artifactUri: string): string {
  const trimmed = artifactUri.trim();
  if (trimmed.startsWith('mlflow-artifacts:')) {
    let rest = trimmed.slice('mlflow-artifacts:'.length);
    if (rest.startsWith('//')) {
      const slash = rest.indexOf('/', 2);
      rest = slash < 0 ? '' : rest.slice(slash);
    }
    return normaliseArtifactPath(decodeURIComponent(rest));
  }
  if (/^https?:\/\//.test(trimmed)) {
    const { pathname } = new URL(trimmed);
    const at = pathname.indexOf(PROXY_MARKER);
    if (at >= 0) {
      return normaliseArtifactPath(decodeURIComponent(pathname.slice(at + PROXY_MARKER.length)));
    }
  }
  throw new MlflowClientError(
    'MLFLOW_UNSUPPORTED_ARTIFACT_URI',
    `Artifact URI ${JSON.stringify(artifactUri)} is not served through the tracking server. ` +
      'Only mlflow-artifacts:/ locations are supported: run the server with artifact proxying ' +
      '(the default; not --no-serve-artifacts) and use experiments created since then ' +
      '(an experiment keeps the artifact root it was created with).',
  );
}

/** Inverse of `artifactProxyPath`, for building child URIs. */
export function toArtifactUri(proxyPath: string): string {
  return `mlflow-artifacts:/${normaliseArtifactPath(proxyPath)}`;
}
