/**
 * The release the Azure machines boot (infrastructure/README.md, "The release the machines
 * run"): a .tar.gz holding, at its root, docker-compose.yml with every image pinned (ours by
 * version, and by digest when the CD workflow passes the digests it pushed; third-party ones by
 * digest when known) and no `build:` sections, every file the compose file mounts, the files
 * each machine requires (@wine/stack-contract RELEASE_EXTRA_FILES), .env.sample and RELEASE.json.
 * The archive is reproducible: sorted entries, fixed mtime, no owner names, so the same
 * sources and digests give the same sha256.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RELEASE_EXTRA_FILES } from '@wine/stack-contract';
import { create as createTar } from 'tar';
import { parseDocument } from 'yaml';
import { parseCompose, readComposeTree } from './compose';
import { interpolate } from './interpolate';

export interface ReleaseOptions {
  /** Repository root (holds docker-compose.yml). */
  readonly root: string;
  readonly version: string;
  /** Registry prefix of our images, e.g. ghcr.io/<owner>. */
  readonly registry: string;
  /** Digests by image (name without tag, e.g. ghcr.io/o/wine-mlflow or postgres). */
  readonly digests: Readonly<Record<string, string>>;
  readonly outDir: string;
  /** Commit of the sources, recorded in RELEASE.json. */
  readonly revision?: string | undefined;
  /** Archive timestamp (seconds); default 2000-01-01 so archives are reproducible. */
  readonly mtime?: number | undefined;
}

export interface Release {
  readonly tarball: string;
  readonly sha256: string;
  readonly sha256File: string;
  readonly files: readonly string[];
  readonly images: Readonly<Record<string, string>>;
}

export class ReleaseError extends Error {
  readonly code = 'RELEASE_INVALID';
}

const COMPOSE_FILE = 'docker-compose.yml';
const VERSION = /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

function filesUnder(root: string, relative: string): string[] {
  const full = path.join(root, relative);
  if (!statSync(full).isDirectory()) return [relative];
  return readdirSync(full)
    .sort()
    .flatMap((entry) => filesUnder(root, path.posix.join(relative, entry)));
}

/** Bind-mount sources of the compose file (./x), as repository-relative paths. */
export function mountedFiles(composeText: string): string[] {
  const compose = parseCompose(composeText, () => 'x');
  return [
    ...new Set(
      Object.values(compose.services)
        .flatMap((s) => s.volumes)
        .map((v) => v.split(':')[0] ?? '')
        .filter((source) => source.startsWith('./'))
        .map((source) => path.posix.normalize(source)),
    ),
  ].sort();
}

/** The compose file as released: images pinned, nothing built on the machine. */
export function releasedCompose(
  composeText: string,
  options: Pick<ReleaseOptions, 'version' | 'registry' | 'digests'>,
): { text: string; images: Record<string, string> } {
  const doc = parseDocument(composeText, { merge: true });
  const tree = readComposeTree(composeText);
  const services = tree['services'] as Record<string, { image?: string; build?: unknown }>;
  const vars: Record<string, string> = {
    WINE_IMAGE_REGISTRY: options.registry,
    WINE_RELEASE_VERSION: options.version,
  };
  const images: Record<string, string> = {};
  for (const [name, service] of Object.entries(services)) {
    if (service.image === undefined) throw new ReleaseError(`service ${name} has no image`);
    const image = interpolate(service.image, (v) => vars[v]);
    if (/\$/.test(image)) throw new ReleaseError(`service ${name}: image ${image} is not fixed`);
    const digest = options.digests[image.replace(/:[^/:]+$/, '')];
    if (digest !== undefined && !DIGEST.test(digest)) {
      throw new ReleaseError(`digest of ${image} must look like sha256:<64 hex>, got ${digest}`);
    }
    const pinned = digest === undefined ? image : `${image}@${digest}`;
    images[name] = pinned;
    doc.setIn(['services', name, 'image'], pinned);
    if (service.build !== undefined) doc.deleteIn(['services', name, 'build']);
  }
  // Our images come from the registry on the machines.
  doc.setIn(['x-app-service', 'pull_policy'], 'missing');
  const header = `# Release ${options.version}: images pinned by \`pnpm run release\`; edit docker-compose.yml in the repository, not this copy.\n`;
  return { text: header + doc.toString({ lineWidth: 0 }), images };
}

export async function buildRelease(options: ReleaseOptions): Promise<Release> {
  if (!VERSION.test(options.version)) {
    throw new ReleaseError(
      `version ${JSON.stringify(options.version)}: use letters, digits, . _ - (e.g. 0.1.0)`,
    );
  }
  const composeText = readFileSync(path.join(options.root, COMPOSE_FILE), 'utf8');
  const { text, images } = releasedCompose(composeText, options);
  const extra = [...new Set(Object.values(RELEASE_EXTRA_FILES).flat())];
  const files = [
    ...new Set([
      ...mountedFiles(composeText).flatMap((f) => filesUnder(options.root, f.replace(/^\.\//, ''))),
      ...extra,
      '.env.sample',
    ]),
  ].sort();
  const manifest = {
    version: options.version,
    revision: options.revision ?? null,
    images,
    files: [COMPOSE_FILE, ...files, 'RELEASE.json'].sort(),
  };

  // Stage the archive's tree: the rewritten compose file, the manifest, the files as they are.
  const stage = path.join(options.outDir, `wine-stack-${options.version}`);
  mkdirSync(stage, { recursive: true });
  const put = (relative: string, content: string | Buffer) => {
    mkdirSync(path.dirname(path.join(stage, relative)), { recursive: true });
    writeFileSync(path.join(stage, relative), content);
  };
  put(COMPOSE_FILE, text);
  put('RELEASE.json', `${JSON.stringify(manifest, null, 2)}\n`);
  for (const file of files) put(file, readFileSync(path.join(options.root, file)));

  const tarball = path.join(options.outDir, `wine-stack-${options.version}.tar.gz`);
  await createTar(
    {
      file: tarball,
      cwd: stage,
      gzip: { level: 9 },
      portable: true,
      noDirRecurse: true,
      mtime: new Date((options.mtime ?? 946_684_800) * 1000),
    },
    manifest.files,
  );
  const sha256 = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  const sha256File = `${tarball}.sha256`;
  writeFileSync(sha256File, `${sha256}  ${path.basename(tarball)}\n`);
  return { tarball, sha256, sha256File, files: manifest.files, images };
}
