/**
 * What the service needs from a model, and where models come from. The store depends only
 * on these interfaces, so an MLflow registry source (issue 4) is just another ModelSource.
 */
import { isModelError } from '@wine/model';
import type { FeatureName, Matrix, WineRecord } from '@wine/model';

export interface ModelInfo {
  /** Registered-model name, e.g. "wine-quality". */
  readonly name: string;
  /** A registry version, or `sha256:<12 hex>` of model.json for directory sources. */
  readonly version: string;
  /**
   * Where it came from: "bundled", "file:/abs/dir", the configured MLflow URI
   * ("models:/wine-quality@champion"), or "fallback" (the bundled model standing in while
   * the configured source cannot deliver).
   */
  readonly source: string;
  readonly sha256: string;
  readonly kind: 'tree' | 'forest';
  readonly nTrees: number;
  readonly formatVersion: number;
  readonly features: readonly string[];
  readonly training: Readonly<Record<string, unknown>>;
  readonly loadedAt: string;
  /** Registry alias the model was resolved through (models:/name@alias). */
  readonly alias?: string;
  /** MLflow run that produced the model. */
  readonly runId?: string;
  /** MLflow 3 logged-model id. */
  readonly modelId?: string;
  /** Where the artifact was downloaded from (MLflow sources). */
  readonly artifact?: ArtifactOrigin;
}

export interface ArtifactOrigin {
  /** The URI as configured (MODEL_URI). */
  readonly registryUri: string;
  /** What it resolved to: the download location served through the tracking server. */
  readonly downloadUri: string;
  readonly trackingUri: string;
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
  /** Scores a MODEL_COLUMNS matrix (batch scoring: blocks of rows, no objects). */
  predictMatrix(x: Matrix): Float64Array;
  /**
   * Identifies where the artifact was found (registry version + download URI + listing) for
   * sources that can check cheaply whether they changed; undefined for directory sources.
   */
  readonly fingerprint?: string;
}

/** What a source points at right now, found without downloading it. */
export interface LocatedModel {
  /** Equal fingerprints mean the same artifact: a poll that finds the served one stops here. */
  readonly fingerprint: string;
  /** Downloads and parses exactly what was located. */
  load(): Promise<ServableModel>;
}

export interface ModelSource {
  /** Human-readable, goes into logs, /model and the model-info metric's `source` label. */
  describe(): string;
  /**
   * Fetches and parses a candidate. Throws a content error (see isContentError) when the
   * artifact itself is broken — the only failure that rejects a version; anything else
   * (registry, network, local disk) counts as "unavailable" and is retried on the next check.
   */
  load(): Promise<ServableModel>;
  /** Optional cheap check before a download (remote sources); throws SourceUnavailableError. */
  locate?(): Promise<LocatedModel>;
}

/**
 * The source could not be asked (registry down, alias unset, download failed) — as opposed
 * to delivering a bad artifact. Counted as `error`, not `rejected`, and retried next poll.
 */
export class SourceUnavailableError extends Error {
  override readonly name = 'SourceUnavailableError';
  readonly code = 'MODEL_SOURCE_UNAVAILABLE';
}

/**
 * The artifact is unusable whatever the machine (unsafe paths, too large): retrying the same
 * version cannot help, so the store rejects it like an unparsable model.json.
 */
export class InvalidArtifactError extends Error {
  override readonly name = 'InvalidArtifactError';
  readonly code = 'MODEL_ARTIFACT_INVALID';
}

/** model.json / MLmodel / input example malformed or of an unknown format version. */
const CONTENT_CODES: ReadonlySet<string> = new Set(['MODEL_INVALID', 'MODEL_FORMAT_UNSUPPORTED']);

/**
 * True only when the candidate's content is at fault. Everything else — a failed mkdtemp, a
 * disk read error (MODEL_READ_FAILED), a network failure, an unexpected exception — says
 * nothing about the version and must not mark it bad.
 */
export function isContentError(error: unknown): boolean {
  return (
    error instanceof InvalidArtifactError || (isModelError(error) && CONTENT_CODES.has(error.code))
  );
}
