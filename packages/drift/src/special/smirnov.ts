/**
 * One-sided Smirnov survival function Pr(D_n⁺ > x) — scipy.special.smirnov(n, x) — by the
 * Birnbaum–Tingey sum (scipy/special/xsf/cephes/kolmogorov.h). scipy sums in double-double;
 * here every term is formed in log space (no cancellation in the lower sum, whose terms are
 * all positive), which keeps ~1e-12 relative accuracy: ample for the 1e-6 contract.
 */

const EPS = 2.220446049250313e-16;
const MIN_LOG = -708.3964185322641;
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;
const SM_UPPER_MAX_TERMS = 3;
const SM_UPPERSUM_MIN_N = 10;

/** Exact floor(n·x) and its fractional part (Dekker's product), as scipy's modNX. */
function modNX(n: number, x: number): { floor: number; alpha: number; nx: number } {
  const p = n * x;
  // Error-free transformation: p + e = n·x exactly.
  const split = (a: number): [number, number] => {
    const c = 134217729 * a; // 2^27 + 1
    const hi = c - (c - a);
    return [hi, a - hi];
  };
  const [nh, nl] = split(n);
  const [xh, xl] = split(x);
  const e = nh * xh - p + nh * xl + nl * xh + nl * xl;
  let floor = Math.floor(p);
  if (floor === p && e < 0) floor -= 1;
  let alpha = p - floor + e;
  if (alpha >= 1) {
    floor += 1;
    alpha = 0;
  }
  if (alpha < 0) alpha = 0;
  return { floor, alpha, nx: p };
}

export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const { floor: nxfl, alpha, nx } = modNX(n, x);
  let n1mxfl = n - nxfl - (alpha === 0 ? 0 : 1);
  let n1mxceil = n - nxfl;
  if (alpha === 0) {
    n1mxfl -= 1;
    n1mxceil += 1;
  }
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    return clamp(1 - x * (1 + x) ** (n - 1));
  }
  if (-2 * n * x * x < MIN_LOG) return 0;
  if (nxfl >= n - 1) return clamp((1 - x) ** n);
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    const logp = -((6 * nx + 1) ** 2) / 18 / n;
    return clamp(logp < -Math.LN2 ? Math.exp(logp) : 1 - -Math.expm1(logp));
  }
  const nUpperTerms = n - n1mxceil + 1;
  const useUpper =
    (nUpperTerms <= 1 && x < 0.5) ||
    (n >= SM_UPPERSUM_MIN_N && nUpperTerms <= SM_UPPER_MAX_TERMS && x <= 0.5 / Math.sqrt(n));
  const nTerms = useUpper ? nUpperTerms : n1mxfl + 1;
  const vmid = Math.floor(n / 2);
  let logC = 0; // log C(n, j)
  let sum = 0;
  for (let j = 0; j < nTerms; j++) {
    const v = useUpper ? n - j : j;
    // x + v/n and 1 − x − v/n from the exact split of n·x (no cancellation near the boundary).
    const base1 = (v + nxfl + alpha) / n;
    const base2 = (n - v - nxfl - alpha) / n;
    const e2 = n - v;
    const sign = base2 < 0 && e2 % 2 === 1 ? -1 : 1;
    const logTerm =
      logC + (v - 1) * Math.log(base1) + (e2 === 0 ? 0 : e2 * Math.log(Math.abs(base2)));
    const term = sign * Math.exp(logTerm);
    if (Number.isFinite(term) && term !== 0) sum += term;
    if (term !== 0) {
      if (4 * (nTerms - j) * Math.abs(term) < EPS * sum && j !== nTerms - 1) break;
    } else if (j > vmid) {
      break;
    }
    logC += Math.log((n - j) / (j + 1));
  }
  const prob = x * sum;
  return clamp(useUpper ? 1 - prob : prob);
}

function clamp(p: number): number {
  return Math.min(1, Math.max(0, p));
}
