/**
 * What the service needs from a model, and where models come from. The store depends only
 * on these interfaces, so an MLflow registry source (issue 4) is just another ModelSource.
 */
import type { FeatureName, WineRecord } from '@wine/model';

export interface ModelInfo {
  /** Registered-model name, e.g. "wine-quality". */
  readonly name: string;
  /** A registry version, or `sha256:<12 hex>` of model.json for directory sources. */
  readonly version: string;
  /** Where it came from: "bundled", "file:/abs/dir", later "models:/wine-quality@champion". */
  readonly source: string;
  readonly sha256: string;
  readonly kind: 'tree' | 'forest';
  readonly nTrees: number;
  readonly formatVersion: number;
  readonly features: readonly string[];
  readonly training: Readonly<Record<string, unknown>>;
  readonly loadedAt: string;
}

export interface FeatureRange {
  readonly min: number;
  readonly max: number;
}

export interface ServableModel {
  readonly info: ModelInfo;
  /** Training range per numeric feature (reference profile, else training metadata); may be partial. */
  readonly ranges: Partial<Record<FeatureName, FeatureRange>>;
  /** Records the artifact ships for smoke tests; never empty for a valid candidate. */
  readonly inputExample: readonly WineRecord[];
  predictRecords(records: readonly WineRecord[]): number[];
}

export interface ModelSource {
  /** Human-readable, goes into logs, /model and the model-info metric's `source` label. */
  describe(): string;
  /** Fetches and parses a candidate; may throw (the store counts and logs it). */
  load(): Promise<ServableModel>;
}
