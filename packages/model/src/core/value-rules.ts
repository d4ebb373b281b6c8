import type { FeatureName } from './features';

/**
 * Physically possible values of each input, shared by the CSV loader and the prediction
 * API so both reject the same wines. Bounds are inclusive. They reject impossible data
 * (a negative concentration, pH 15), not unusual wines: the training data spans far less.
 */
export interface ValueRule {
  min: number;
  max: number;
  /** Human wording of the rule for error messages. */
  description: string;
}

const nonNegative = (what: string): ValueRule => ({
  min: 0,
  max: Number.POSITIVE_INFINITY,
  description: `${what} is a concentration and cannot be negative`,
});

export const FEATURE_RULES: Readonly<Record<FeatureName, ValueRule>> = Object.freeze({
  fixed_acidity: nonNegative('fixed_acidity'),
  volatile_acidity: nonNegative('volatile_acidity'),
  citric_acid: nonNegative('citric_acid'),
  residual_sugar: nonNegative('residual_sugar'),
  chlorides: nonNegative('chlorides'),
  free_sulfur_dioxide: nonNegative('free_sulfur_dioxide'),
  total_sulfur_dioxide: nonNegative('total_sulfur_dioxide'),
  // Water is 1.0 g/cm³; ethanol 0.79 and sugar syrups ~1.3 bound any wine far inside 0.9–1.1.
  density: { min: 0.9, max: 1.1, description: 'density must be within 0.9–1.1 g/cm³' },
  ph: { min: 0, max: 14, description: 'pH must be within 0–14' },
  sulphates: nonNegative('sulphates'),
  alcohol: { min: 0, max: 100, description: 'alcohol must be within 0–100 % vol' },
});

/** The sensory score: an integer from 0 (very bad) to 10 (excellent), as in the UCI data. */
export const QUALITY_RULE: Readonly<ValueRule> = Object.freeze({
  min: 0,
  max: 10,
  description: 'quality must be an integer within 0–10',
});
