import {
  baseName,
  childLocation,
  formatLocation,
  looksLikeFolder,
  parseLocation,
} from './location';

describe('parseLocation', () => {
  it.each([
    ['az://datasets/wine/red.csv', { kind: 'az', container: 'datasets', path: 'wine/red.csv' }],
    ['az://datasets/wine/', { kind: 'az', container: 'datasets', path: 'wine/' }],
    ['az://datasets', { kind: 'az', container: 'datasets', path: '' }],
    ['AZ://my-data/x', { kind: 'az', container: 'my-data', path: 'x' }],
    ['data/red.csv', { kind: 'local', path: '/work/data/red.csv' }],
    ['/abs/red.csv', { kind: 'local', path: '/abs/red.csv' }],
    ['file:///abs/red.csv', { kind: 'local', path: '/abs/red.csv' }],
  ])('%s', (raw, expected) => {
    expect(parseLocation(raw, '/work')).toEqual(expected);
  });

  it.each([
    ['az://Data/x', 'not a container name'],
    ['az://ab/x', 'not a container name'],
    ['az://a--b/x', 'not a container name'],
    ['az://data//x', 'empty segment'],
    ['az://data/../x', '".."'],
    ['s3://bucket/x', 'use a local path or az://'],
    ['  ', 'empty'],
  ])('refuses %s', (raw, why) => {
    expect(() => parseLocation(raw)).toThrow(why);
  });

  it('round-trips and composes', () => {
    const folder = parseLocation('az://datasets/wine/');
    expect(looksLikeFolder(folder)).toBe(true);
    const child = childLocation(folder, 'red.csv');
    expect(formatLocation(child)).toBe('az://datasets/wine/red.csv');
    expect(formatLocation(childLocation(parseLocation('az://datasets/wine'), 'a/b.csv'))).toBe(
      'az://datasets/wine/a/b.csv',
    );
    expect(baseName(child)).toBe('red.csv');
    expect(baseName(parseLocation('/x/y/z.csv'))).toBe('z.csv');
    expect(looksLikeFolder(parseLocation('/x/y/'))).toBe(false);
  });
});
