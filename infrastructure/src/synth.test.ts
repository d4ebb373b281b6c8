import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesize } from './synth';
import { synthText, testConfig } from './testing/fixtures';

describe('synthesize', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'wine-synth-'));

  it('writes the stack as Terraform JSON, the same as the in-memory synth', () => {
    const stackDir = synthesize(testConfig(), { outdir });
    const written = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    const inMemory = JSON.parse(synthText()) as Record<string, unknown>;
    // Testing.synth drops the "//" comment keys; compare without them.
    const plain = JSON.parse(JSON.stringify(written), (key, value: unknown) =>
      key === '//' ? undefined : value,
    ) as Record<string, unknown>;
    expect(plain).toEqual(inMemory);
  });

  it('switches to HCL without leaving the JSON behind, and back', () => {
    const stackDir = synthesize(testConfig(), { outdir, hcl: true });
    expect(existsSync(join(stackDir, 'cdk.tf'))).toBe(true);
    expect(existsSync(join(stackDir, 'cdk.tf.json'))).toBe(false);
    expect(readFileSync(join(stackDir, 'cdk.tf'), 'utf8')).toContain(
      'resource "azurerm_linux_virtual_machine"',
    );
    synthesize(testConfig(), { outdir });
    expect(existsSync(join(stackDir, 'cdk.tf'))).toBe(false);
  });
});
