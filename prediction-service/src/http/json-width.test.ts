import { ObjectWidthScanner } from './json-width';

const object = (n: number, prefix = 'k'): string =>
  `{${Array.from({ length: n }, (_, i) => `"${prefix}${i}":${i}`).join(',')}}`;

/** Feeds `text` in chunks of `size` bytes. */
function scan(text: string, max: number, size = Infinity): boolean {
  const scanner = new ObjectWidthScanner(max);
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += Math.min(size, bytes.length)) {
    if (scanner.feed(bytes.subarray(i, i + size))) return true;
  }
  return false;
}

function widest(value: unknown): number {
  if (Array.isArray(value)) return Math.max(0, ...value.map(widest));
  if (typeof value !== 'object' || value === null) return 0;
  const entries = Object.values(value as Record<string, unknown>);
  return Math.max(entries.length, ...entries.map(widest));
}

const CASES: Array<[string, string, boolean]> = [
  ['an object at the limit', object(3), false],
  ['an object over the limit', object(4), true],
  ['a wide object nested in arrays and objects', `{"a":[1,{"b":${object(4)}}]}`, true],
  ['many narrow objects', `[${Array.from({ length: 100 }, () => object(3)).join(',')}]`, false],
  ['members counted per object, not per nesting level', `{"a":${object(3)},"b":1}`, false],
  ['colons and brackets inside strings', `{"a":"x:y:z:{[","b\\":":"\\\\","c":1}`, false],
  ['escaped quotes do not end a string', `{"a":"\\":\\":\\":\\"","b":1}`, false],
  ['multi-byte UTF-8 in keys and values', `{"é:ü":"日本:語","ø{":1,"∂":[2]}`, false],
  ['a long array', `[${Array.from({ length: 1000 }, (_, i) => i).join(',')}]`, false],
];

describe('ObjectWidthScanner', () => {
  it.each(CASES)('%s', (_name, text, expected) => {
    expect(widest(JSON.parse(text)) > 3).toBe(expected);
    // Whatever the chunk boundaries: one byte at a time, odd sizes, all at once.
    for (const size of [1, 2, 3, 7, Infinity]) expect(scan(text, 3, size)).toBe(expected);
  });

  it('stops without a verdict on what it does not understand', () => {
    expect(scan(`}}]]${object(4)}`, 3)).toBe(false);
    expect(scan(`${'['.repeat(300)}${object(4)}${']'.repeat(300)}`, 3)).toBe(false);
    expect(scan('a:b:c:d:e:f', 3)).toBe(false);
  });
});
