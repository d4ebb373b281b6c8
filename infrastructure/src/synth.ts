import { App } from 'cdktf';
import { join } from 'node:path';
import type { InfraConfig } from './config.schema';
import { WineStack } from './stack';
import { STACK_NAME } from './stack-name';

export interface SynthOptions {
  readonly outdir: string;
  /** Also write the stack as HCL (`cdk.tf`), for moving off CDKTF. */
  readonly hcl?: boolean;
}

/** Writes `<outdir>/stacks/<stack>/cdk.tf.json` and returns that stack folder. */
export function synthesize(config: InfraConfig, options: SynthOptions): string {
  const app = new App({
    outdir: options.outdir,
    hclOutput: options.hcl ?? false,
    stackTraces: false,
  });
  new WineStack(app, STACK_NAME, config);
  app.synth();
  return join(options.outdir, 'stacks', STACK_NAME);
}
