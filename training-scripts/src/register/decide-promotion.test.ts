import { decidePromotion, DEFAULT_MIN_IMPROVEMENT } from './decide-promotion';

describe('decidePromotion', () => {
  it('makes the first registered version champion', () => {
    const d = decidePromotion({ candidateVersion: '1', candidateRmse: 0.7, minImprovement: 0 });
    expect(d).toMatchObject({ alias: 'champion', outcome: 'first' });
    expect(d.improvement).toBeUndefined();
    expect(d.reason).toContain('0.7000');
  });

  it.each([
    // [candidate rmse, champion rmse, margin, alias]
    [0.69, 0.7, 0, 'champion'],
    [0.7, 0.7, 0, 'challenger'], // a tie does not move the served model
    [0.71, 0.7, 0, 'challenger'],
    [0.696, 0.7, DEFAULT_MIN_IMPROVEMENT, 'challenger'], // better, but within the margin
    [0.694, 0.7, DEFAULT_MIN_IMPROVEMENT, 'champion'],
  ])('candidate %d vs champion %d with margin %d → %s', (candidate, champion, margin, alias) => {
    const d = decidePromotion({
      candidateVersion: '2',
      candidateRmse: candidate,
      champion: { version: '1', rmse: champion },
      minImprovement: margin,
    });
    expect(d.alias).toBe(alias);
    expect(d.outcome).toBe(alias === 'champion' ? 'promoted' : 'kept');
    expect(d.improvement).toBeCloseTo(champion - candidate, 12);
    expect(d.reason).toContain(`rmse ${candidate.toFixed(4)}`);
    expect(d.reason).toContain(`rmse ${champion.toFixed(4)}`);
  });

  it('leaves a version that already holds champion where it is', () => {
    const d = decidePromotion({
      candidateVersion: '3',
      candidateRmse: 0.8,
      champion: { version: '3', rmse: 0.8 },
      minImprovement: 0.5,
    });
    expect(d).toMatchObject({ alias: 'champion', outcome: 'already-champion' });
  });
});
