import {
  artifactProxyPath,
  joinArtifactPath,
  normaliseArtifactPath,
  toArtifactUri,
} from './artifact-uri';

function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('artifact URIs', () => {
  it.each([
    ['mlflow-artifacts:/1/abc/artifacts', '1/abc/artifacts'],
    ['mlflow-artifacts:/1/abc/artifacts/', '1/abc/artifacts'],
    ['mlflow-artifacts://mlflow:5000/1/abc/artifacts', '1/abc/artifacts'],
    ['mlflow-artifacts:/1/models/m-1/artifacts', '1/models/m-1/artifacts'],
    ['http://h:5000/prefix/api/2.0/mlflow-artifacts/artifacts/2/x', '2/x'],
    ['mlflow-artifacts:/1/with%20space', '1/with space'],
  ])('%s → %s', (uri, path) => {
    expect(artifactProxyPath(uri)).toBe(path);
  });

  it.each([
    's3://bucket/1/abc',
    'file:///tmp/mlruns/1',
    '/tmp/mlruns',
    'wasbs://c@a.blob.core.windows.net/x',
  ])('refuses %s: not proxied', (uri) => {
    expect(thrownCode(() => artifactProxyPath(uri))).toBe('MLFLOW_UNSUPPORTED_ARTIFACT_URI');
  });

  it('joins and normalises paths, refusing traversal', () => {
    expect(joinArtifactPath('1/abc', '', 'dir//file.txt')).toBe('1/abc/dir/file.txt');
    expect(normaliseArtifactPath('/a/b/')).toBe('a/b');
    expect(thrownCode(() => joinArtifactPath('1/abc', '../x'))).toBe('MLFLOW_INVALID_ARGUMENT');
    expect(toArtifactUri('1/abc/')).toBe('mlflow-artifacts:/1/abc');
  });
});
