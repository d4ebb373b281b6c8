export { FEATURE_NAMES, WINE_TYPES, TARGET_NAME } from './core/features';
export type { FeatureName, WineType, WineRecord, LabeledWineRecord } from './core/features';
export { ModelError, MODEL_ERROR_CODES, isModelError } from './errors';
export type { ModelErrorCode } from './errors';
