import { loadConfig, loadRunSettings } from './config';
import { InfraError } from './errors';
import { synthesize } from './synth';
import { runTerraform } from './terraform-runner';

const USAGE = `Usage: node dist/main.js <command> [terraform args...]

Commands (the synthesized Terraform JSON is plain Terraform; deploy/destroy/output just run
terraform or tofu in cdktf.out/stacks/wine-quality):
  synth [--hcl]   write cdktf.out/stacks/wine-quality/cdk.tf.json (--hcl: cdk.tf instead); offline
  plan            synth, terraform init, terraform plan
  deploy          synth, terraform init, terraform apply
  destroy         synth, terraform init, terraform destroy
  output          terraform output (pass -json for machine-readable output)

Configuration: infrastructure/config.json (or WINE_INFRA_CONFIG) plus WINE_INFRA_* / ARM_SUBSCRIPTION_ID
environment variables; see infrastructure/README.md. TERRAFORM_BINARY_NAME picks terraform or tofu.
`;

const TERRAFORM_VERB = { plan: 'plan', deploy: 'apply', destroy: 'destroy' } as const;

function run(argv: readonly string[]): void {
  // cdktf's own CLI runs the app with no arguments and expects a synth.
  const [command = 'synth', ...args] = argv;
  // `pnpm run deploy -- -auto-approve` passes the "--" through.
  const rest = args[0] === '--' ? args.slice(1) : args;
  const settings = loadRunSettings();
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  if (command === 'output') {
    runTerraform(settings.terraformBinary, settings.stackDir, ['output', ...rest]);
    return;
  }
  if (command !== 'synth' && !(command in TERRAFORM_VERB)) {
    process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const stackDir = synthesize(loadConfig(), {
    outdir: settings.outdir,
    hcl: command === 'synth' && rest.includes('--hcl'),
  });
  process.stderr.write(`synthesized ${stackDir}\n`);
  if (command === 'synth') return;
  const verb = TERRAFORM_VERB[command as keyof typeof TERRAFORM_VERB];
  runTerraform(settings.terraformBinary, stackDir, ['init', '-input=false']);
  runTerraform(settings.terraformBinary, stackDir, [verb, ...rest]);
}

try {
  run(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof InfraError)) throw error;
  process.stderr.write(`error [${error.code}]: ${error.message}\n`);
  process.exitCode = 1;
}
