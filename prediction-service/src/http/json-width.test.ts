import { hasObjectWiderThan } from './json-width';

const object = (n: number, prefix = 'k'): string =>
  `{${Array.from({ length: n }, (_, i) => `"${prefix}${i}":${i}`).join(',')}}`;

describe('hasObjectWiderThan', () => {
  it.each([
    ['an object at the limit', object(3), false],
    ['an object over the limit', object(4), true],
    ['a wide object nested in arrays and objects', `{"a":[1,{"b":${object(4)}}]}`, true],
    ['many narrow objects', `[${Array.from({ length: 100 }, () => object(3)).join(',')}]`, false],
    ['members counted per object, not per nesting level', `{"a":${object(3)},"b":1}`, false],
    ['colons and brackets inside strings', `{"a":"x:y:z:{[","b\\":":"\\\\","c":1}`, false],
    ['escaped quotes do not end a string', `{"a":"\\":\\":\\":\\"","b":1}`, false],
    ['a long array', `[${Array.from({ length: 1000 }, (_, i) => i).join(',')}]`, false],
    ['unbalanced closing brackets', `}}]]${object(4)}`, false],
    ['not JSON at all', 'a:b:c:d:e:f', false],
  ])('%s', (_name, text, expected) => {
    expect(hasObjectWiderThan(text, 3)).toBe(expected);
    expect(hasObjectWiderThan(text, 3)).toBe(
      // The scan agrees with the parsed structure whenever the text is JSON.
      isJson(text) ? widest(JSON.parse(text)) > 3 : expected,
    );
  });

  it('gives up (false) on nesting deeper than it tracks, leaving it to JSON.parse', () => {
    expect(hasObjectWiderThan(`${'['.repeat(300)}${object(4)}${']'.repeat(300)}`, 3)).toBe(false);
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function widest(value: unknown): number {
  if (Array.isArray(value)) return Math.max(0, ...value.map(widest));
  if (typeof value !== 'object' || value === null) return 0;
  const entries = Object.values(value as Record<string, unknown>);
  return Math.max(entries.length, ...entries.map(widest));
}
