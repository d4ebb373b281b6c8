#!/usr/bin/env node
/**
 * `pnpm run release [-- --version 0.1.0 --registry ghcr.io/<owner> --digests digests.json]`:
 * builds dist/release/wine-stack-<version>.tar.gz (the tarball the Azure machines fetch) and
 * its .sha256, and prints the infrastructure settings that pin it.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { runCli } from '@wine/training-scripts';
import { z } from 'zod';
import { buildRelease, ReleaseError } from '../release';

const ROOT = path.resolve(__dirname, '..', '..', '..');

function program(): Command {
  return new Command('release')
    .description(
      'Build the release tarball the Azure machines boot: docker-compose.yml with pinned images, ' +
        'the files it mounts, caddy/Caddyfile, .env.sample, RELEASE.json; and its sha256.',
    )
    .option('--version <version>', 'release version (default: the root package.json version)')
    .option('--registry <prefix>', 'registry of our images', 'ghcr.io/wine-quality')
    .option(
      '--digests <file>',
      'JSON {"<image without tag>": "sha256:…"} from the image build; pins images by digest',
    )
    .option('--out <dir>', 'output directory', path.join(ROOT, 'dist', 'release'))
    .showHelpAfterError()
    .addHelpText(
      'after',
      '\nExamples:\n  pnpm run release\n  pnpm run release -- --version 0.2.0 --registry ghcr.io/acme --digests digests.json',
    );
}

function revision(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const opts = program()
    .parse()
    .opts<{ version?: string; registry: string; digests?: string; out: string }>();
  const version =
    opts.version ??
    z
      .object({ version: z.string() })
      .parse(JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))).version;
  let digests: Record<string, string> = {};
  if (opts.digests !== undefined) {
    const parsed = z
      .record(z.string(), z.string())
      .safeParse(JSON.parse(readFileSync(opts.digests, 'utf8')));
    if (!parsed.success)
      throw new ReleaseError(`${opts.digests}: expected {"<image>": "sha256:…"}`);
    digests = parsed.data;
  }
  const release = await buildRelease({
    root: ROOT,
    version,
    registry: opts.registry.replace(/\/+$/, ''),
    digests,
    outDir: path.resolve(opts.out),
    revision: revision(),
  });
  console.log(
    `wrote ${path.relative(process.cwd(), release.tarball)} (${release.files.length} files)`,
  );
  console.log(`sha256 ${release.sha256}`);
  for (const [service, image] of Object.entries(release.images))
    console.log(`  ${service.padEnd(20)} ${image}`);
  console.log(
    `\nPublish it at an HTTPS URL, then pin it in the infrastructure config:\n` +
      `  WINE_INFRA_RELEASE_VERSION=${version}\n` +
      `  WINE_INFRA_RELEASE_URL=https://…/${path.basename(release.tarball)}\n` +
      `  WINE_INFRA_RELEASE_SHA256=${release.sha256}`,
  );
}

runCli(main, { secrets: [] });
