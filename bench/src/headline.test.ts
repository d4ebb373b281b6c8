import { goal, rateRow, timeRow, valueRow } from './headline';
import { headlineSchema } from './results';

describe('headline row builders', () => {
  it('computes ours ÷ peer to three significant digits', () => {
    const row = timeRow({
      id: 'a',
      label: 'fit',
      ours: 0.138,
      unit: 's',
      peer: { name: 'peer 1.0', value: 43.21 },
    });
    expect(row.ratio).toEqual({ value: 0.00319, meaning: 'of the time' });
    expect(row.peer).toEqual({ name: 'peer 1.0', value: 43.21, unit: 's' });
    expect(
      rateRow({ id: 'b', label: 'r', ours: 300, unit: 'req/s', peer: { name: 'p', value: 100 } })
        .ratio,
    ).toEqual({ value: 3, meaning: '× the rate' });
  });

  it('leaves peer and ratio out when the peer did not run, and goal out when undefined', () => {
    const row = timeRow({
      id: 'a',
      label: 'fit',
      ours: 1,
      unit: 's',
      peer: { name: 'p', value: Number.NaN },
      goal: undefined,
    });
    expect(row).toEqual({ id: 'a', label: 'fit', ours: { value: 1, unit: 's' } });
    expect(headlineSchema.safeParse([row]).success).toBe(true);
    const withGoal = valueRow({
      id: 'c',
      label: 'x',
      ours: 4,
      unit: '%',
      goal: goal('<', 5, '< 5 %'),
    });
    expect(withGoal.goal).toEqual({ op: '<', value: 5, text: '< 5 %' });
    expect(withGoal.ratio).toBeUndefined();
  });
});
