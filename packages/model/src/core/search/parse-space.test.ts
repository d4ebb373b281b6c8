import { count, fraction } from '../tree/params';
import { parseSpace } from './parse-space';
import { checkSpace, gridCandidates } from './space';

describe('parseSpace (the train CLI --space)', () => {
  it('keeps the Python type of each number: 1 is a count, 1.0 and 1e0 fractions', () => {
    const space = parseSpace(
      '{"max_features": [1, 1.0, 1e0, 0.5, "sqrt", null], "min_samples_leaf": [1, 0.05], "max_depth": [4, null]}',
    );
    expect(space).toEqual({
      maxFeatures: [count(1), fraction(1), fraction(1), fraction(0.5), 'sqrt', null],
      minSamplesLeaf: [count(1), fraction(0.05)],
      maxDepth: [4, null],
    });
    checkSpace(space, 'forest');
    expect(gridCandidates(space)).toHaveLength(24);
  });

  it('accepts camelCase names, explicit {kind, value} and ranges', () => {
    expect(
      parseSpace(
        '{"maxSamples": [{"kind": "fraction", "value": 1}], "minImpurityDecrease": {"min": 1e-6, "max": 0.01, "log": true}}',
      ),
    ).toEqual({
      maxSamples: [fraction(1)],
      minImpurityDecrease: { min: 1e-6, max: 0.01, log: true },
    });
  });

  it.each([
    ['[1, 2]', /must be a JSON object/],
    ['{"max_depth": 3}', /"max_depth" needs a list of values or a \{min, max\} range/],
    ['{"max_depth": [1], "maxDepth": [2]}', /given twice/],
    ['{"max_features": [{"kind": "most", "value": 1}]}', /max_features\[0\].*is not a value/],
    ['{"max_depth": {"min": 1, "max": "9"}}', /max_depth.max must be a number/],
    ['{"max_depth": {"min": 1, "max": 9, "step": 2}}', /unknown range field\(s\) step/],
    ['{"max_depth": [1,]}', /not valid JSON/],
  ])('rejects %s', (text, message) => {
    expect(() => parseSpace(text)).toThrow(message);
  });
});
