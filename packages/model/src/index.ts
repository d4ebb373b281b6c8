export { FEATURE_NAMES, WINE_TYPES, TARGET_NAME } from './core/features';
export type { FeatureName, WineType, WineRecord, LabeledWineRecord } from './core/features';
