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
