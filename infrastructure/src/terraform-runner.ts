import { spawnSync } from 'node:child_process';
import { InfraError } from './errors';

/** Runs `<binary> <args>` in the synthesized stack folder with the terminal attached. */
export function runTerraform(binary: string, stackDir: string, args: readonly string[]): void {
  const result = spawnSync(binary, args, { cwd: stackDir, stdio: 'inherit' });
  if (result.error !== undefined) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new InfraError(
      'TERRAFORM_FAILED',
      missing
        ? `"${binary}" is not on PATH. Install Terraform >= 1.5 or OpenTofu (then set TERRAFORM_BINARY_NAME=tofu).`
        : `could not run ${binary}: ${result.error.message}`,
      { cause: result.error },
    );
  }
  if (result.status !== 0) {
    throw new InfraError(
      'TERRAFORM_FAILED',
      `${binary} ${args.join(' ')} failed (exit ${result.status ?? result.signal ?? '?'}) in ${stackDir}`,
    );
  }
}
