import { formatModelUri, parseModelUri } from './model-uri';

function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('parseModelUri', () => {
  it.each([
    ['models:/wine-quality/3', { kind: 'version', name: 'wine-quality', version: '3' }],
    ['models:/wine-quality@champion', { kind: 'alias', name: 'wine-quality', alias: 'champion' }],
    ['models:/wine-quality/latest', { kind: 'latest', name: 'wine-quality' }],
    [
      'models:/wine-quality/Production',
      { kind: 'stage', name: 'wine-quality', stage: 'Production' },
    ],
    ['models:/m-0123456789abcdef', { kind: 'logged-model', modelId: 'm-0123456789abcdef' }],
    ['runs:/0123abcd/model', { kind: 'run', runId: '0123abcd', path: 'model' }],
    ['runs:/0123abcd/a/b/', { kind: 'run', runId: '0123abcd', path: 'a/b' }],
    ['runs:/0123abcd', { kind: 'run', runId: '0123abcd', path: '' }],
  ])('%s', (uri, expected) => {
    const parsed = parseModelUri(uri);
    expect(parsed).toEqual(expected);
    expect(parseModelUri(formatModelUri(parsed))).toEqual(parsed);
  });

  it.each([
    'file:/tmp/model',
    'models:',
    'models:/',
    'models://host/name/1',
    'models:/a/b/c',
    'models:/name/',
    'models:/@alias',
    'models:/name@',
    'runs:/',
    'runs://x/y',
  ])('rejects %s with a typed error', (uri) => {
    expect(thrownCode(() => parseModelUri(uri))).toBe('MLFLOW_INVALID_URI');
  });

  it('names the accepted forms in the message', () => {
    expect(() => parseModelUri('s3://bucket/model')).toThrow(/models:\/<name>@<alias>/);
  });
});
