/**
 * The external checkers of the stack's tests (installed by .ci/services/stack-tools.sh, which
 * exports their paths) and the repository paths they look at.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export { describeWithTool, findTool } from '../../infrastructure/src/testing/real-tool';

export const REPO = path.resolve(__dirname, '..', '..');

const INSTALL = 'source .ci/services/stack-tools.sh (CACHE=~/.cache/wine-ci)';
export const HADOLINT = { envVar: 'HADOLINT_BIN', name: 'hadolint', install: INSTALL };
export const ACTIONLINT = { envVar: 'ACTIONLINT_BIN', name: 'actionlint', install: INSTALL };
export const DOCKER_COMPOSE = {
  envVar: 'DOCKER_COMPOSE_BIN',
  name: 'docker-compose',
  install: INSTALL,
};

/** Files git tracks (plus untracked, not ignored) matching a pathspec, repository-relative. */
export function repoFiles(...pathspecs: string[]): string[] {
  const out = execFileSync(
    'git',
    ['ls-files', '--cached', '--others', '--exclude-standard', '--', ...pathspecs],
    { cwd: REPO, encoding: 'utf8' },
  );
  return [...new Set(out.split('\n').filter((l) => l !== ''))].sort();
}
