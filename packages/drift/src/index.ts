export { DriftError, DRIFT_ERROR_CODES, isDriftError } from './errors';
export type { DriftErrorCode } from './errors';
export {
  CATEGORICAL_METHODS,
  DEFAULT_THRESHOLDS,
  DRIFT_METHODS,
  METHOD_SCORE,
  NUMERICAL_METHODS,
  driftOptionsSchema,
  resolveDriftOptions,
} from './options';
export type {
  CategoricalMethod,
  DriftMethod,
  DriftOptions,
  MethodChoice,
  NumericalMethod,
  ResolvedDriftOptions,
} from './options';
export { prepareReference } from './reference';
export type {
  ColumnKind,
  ColumnRole,
  PreparedCategorical,
  PreparedColumn,
  PreparedNumerical,
  PreparedReference,
  QuantileProfile,
  ReferenceColumnInput,
  ReferenceInput,
} from './reference';
export { autoMethod, computeDrift } from './detect';
export type { ColumnDrift, CurrentColumns, DriftReport } from './detect';
export {
  PREDICTION_COLUMN,
  WINE_TYPE_COLUMN,
  wineCurrentColumns,
  wineReferenceFromModel,
  wineReferenceFromProfile,
  wineReferenceFromSample,
} from './wine';
export type { WineReferenceOptions } from './wine';
// The statistics on their own, for callers that need one number (and for the golden tests).
export { ksAsymptoticPValue } from './stats/ks';
export { compareSorted, populationStd } from './stats/sorted';
export { chiSquareTest, jensenShannonDistance, zTest } from './stats/categorical';
export { populationStabilityIndex } from './stats/binned';
export { kolmogorovSf } from './special/kolmogorov';
export { chiSquareSf, normalCdf } from './special/gamma';
export { columnHistograms } from './histograms';
export type { ColumnHistogram } from './histograms';
