import { applyGcTuning } from './gc-tuning';

describe('applyGcTuning', () => {
  it('turns allocation-site pretenuring off by default', () => {
    expect(applyGcTuning([], '')).toBe(true);
  });

  it.each([
    [['--allocation-site-pretenuring'], ''],
    [['--no-allocation-site-pretenuring'], ''],
    [[], '--max-old-space-size=512 --allocation_site_pretenuring'],
  ])('leaves an explicit choice alone (%j, %j)', (execArgv, nodeOptions) => {
    expect(applyGcTuning(execArgv, nodeOptions)).toBe(false);
  });
});
