/**
 * The promotion rule, pure: a new version takes the `champion` alias only when its holdout
 * RMSE beats the champion's on the SAME rows by more than a margin; otherwise it becomes
 * `challenger`. The margin keeps noise-level differences from churning the served model.
 */

export const CHAMPION = 'champion';
export const CHALLENGER = 'challenger';

/** Default margin: 0.005 quality points of RMSE (≈0.7 % of a 0.7 RMSE). */
export const DEFAULT_MIN_IMPROVEMENT = 0.005;

export interface PromotionInput {
  readonly candidateVersion: string;
  readonly candidateRmse: number;
  /** Absent when the registered model has no champion yet. */
  readonly champion?: { readonly version: string; readonly rmse: number };
  /** Absolute RMSE the candidate must beat the champion by (strictly more than). */
  readonly minImprovement: number;
}

export interface PromotionDecision {
  readonly alias: typeof CHAMPION | typeof CHALLENGER;
  /** 'first' (no champion), 'already-champion', 'promoted' or 'kept' (champion unchanged). */
  readonly outcome: 'first' | 'already-champion' | 'promoted' | 'kept';
  /** champion RMSE − candidate RMSE (positive = candidate better); absent without a champion. */
  readonly improvement?: number;
  /** One line for people: the numbers and why. */
  readonly reason: string;
}

const f = (n: number): string => n.toFixed(4);

export function decidePromotion(input: PromotionInput): PromotionDecision {
  const { champion, candidateRmse, minImprovement } = input;
  if (champion === undefined) {
    return {
      alias: CHAMPION,
      outcome: 'first',
      reason: `no champion yet: version ${input.candidateVersion} (holdout rmse ${f(candidateRmse)}) becomes champion`,
    };
  }
  const improvement = champion.rmse - candidateRmse;
  if (champion.version === input.candidateVersion) {
    return {
      alias: CHAMPION,
      outcome: 'already-champion',
      improvement: 0,
      reason: `version ${input.candidateVersion} is already the champion (holdout rmse ${f(candidateRmse)})`,
    };
  }
  const numbers = `candidate v${input.candidateVersion} rmse ${f(candidateRmse)} vs champion v${champion.version} rmse ${f(champion.rmse)} (improvement ${f(improvement)}, required > ${f(minImprovement)})`;
  if (improvement > minImprovement) {
    return { alias: CHAMPION, outcome: 'promoted', improvement, reason: `promoted: ${numbers}` };
  }
  return { alias: CHALLENGER, outcome: 'kept', improvement, reason: `champion kept: ${numbers}` };
}
