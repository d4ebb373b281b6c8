import { FEATURE_NAMES, WINE_TYPES } from '@wine/model';

describe('feature contract', () => {
  it('lists the 11 measurements in contract order', () => {
    expect(FEATURE_NAMES).toHaveLength(11);
    expect(FEATURE_NAMES[0]).toBe('fixed_acidity');
    expect(FEATURE_NAMES[10]).toBe('alcohol');
    expect(WINE_TYPES).toEqual(['red', 'white']);
  });
});
