/**
 * The interface contract's feature schema (ARCHITECTURE.md): names, order and types.
 * Every package that reads or writes wine records goes through these constants.
 */
export const FEATURE_NAMES = [
  'fixed_acidity',
  'volatile_acidity',
  'citric_acid',
  'residual_sugar',
  'chlorides',
  'free_sulfur_dioxide',
  'total_sulfur_dioxide',
  'density',
  'ph',
  'sulphates',
  'alcohol',
] as const;

export type FeatureName = (typeof FEATURE_NAMES)[number];

export const WINE_TYPES = ['red', 'white'] as const;
export type WineType = (typeof WINE_TYPES)[number];

export const TARGET_NAME = 'quality';

/** One wine as the API and the CSV loader see it. */
export type WineRecord = Record<FeatureName, number> & { wine_type: WineType };

/** A wine with its sensory quality score (0–10). */
export type LabeledWineRecord = WineRecord & { quality: number };

/**
 * A valid wine (the first red of the UCI data): the one example used by API docs, README
 * snippets and tests, so they all agree on what a record looks like.
 */
export const EXAMPLE_WINE: Readonly<WineRecord> = Object.freeze({
  fixed_acidity: 7.4,
  volatile_acidity: 0.7,
  citric_acid: 0,
  residual_sugar: 1.9,
  chlorides: 0.076,
  free_sulfur_dioxide: 11,
  total_sulfur_dioxide: 34,
  density: 0.9978,
  ph: 3.51,
  sulphates: 0.56,
  alcohol: 9.4,
  wine_type: 'red',
});
