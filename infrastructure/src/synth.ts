import { App } from 'cdktf';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InfraConfig } from './config.schema';
import { WineStack } from './stack';
import { STACK_NAME } from './stack-name';

export interface SynthOptions {
  readonly outdir: string;
  /** Write the stack as HCL (`cdk.tf`) instead of Terraform JSON, for moving off CDKTF. */
  readonly hcl?: boolean;
}

/** Writes `<outdir>/stacks/<stack>/cdk.tf.json` (or `cdk.tf`) and returns that stack folder. */
export function synthesize(config: InfraConfig, options: SynthOptions): string {
  const stackDir = join(options.outdir, 'stacks', STACK_NAME);
  const app = new App({ outdir: options.outdir, stackTraces: false });
  const stack = new WineStack(app, STACK_NAME, config);
  app.synth();
  // Terraform loads every *.tf and *.tf.json of a folder: keep exactly one format.
  // (App's hclOutput option only renames the file in cdktf 0.21; the stack renders HCL itself.)
  if (options.hcl === true) {
    // Typed `any` in cdktf; the renderer returns { hcl, metadata }.
    const rendered: unknown = stack.toHclTerraform();
    const hcl = (rendered as { hcl?: unknown }).hcl;
    if (typeof hcl !== 'string') throw new TypeError('cdktf rendered no HCL');
    writeFileSync(join(stackDir, 'cdk.tf'), hcl);
    rmSync(join(stackDir, 'cdk.tf.json'), { force: true });
  } else {
    rmSync(join(stackDir, 'cdk.tf'), { force: true });
  }
  return stackDir;
}
