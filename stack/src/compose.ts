/**
 * docker-compose.yml as the stack's tooling reads it: YAML with anchors and merge keys,
 * interpolated from an environment (the project's .env under the shell's, as docker compose
 * does), validated for the parts the tooling uses, with each service's environment resolved
 * (a variable listed without a value is taken from that environment or left out). Full
 * validation against the Compose specification is docker compose's own `config` (tests).
 */
import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { interpolate, type Lookup } from './interpolate';

const stringList = z.array(z.union([z.string(), z.number()]).transform(String));
const envMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));

const dependsOn = z.union([
  z
    .array(z.string())
    .transform((names) =>
      Object.fromEntries(names.map((n) => [n, { condition: 'service_started', required: true }])),
    ),
  z.record(
    z.string(),
    z.object({
      condition: z
        .enum(['service_started', 'service_healthy', 'service_completed_successfully'])
        .default('service_started'),
      required: z.boolean().default(true),
    }),
  ),
]);

const serviceSchema = z
  .object({
    profiles: z.array(z.string()).default([]),
    image: z.string().optional(),
    build: z
      .union([
        z.string().transform((context) => ({ context, dockerfile: 'Dockerfile' })),
        z.object({ context: z.string(), dockerfile: z.string().default('Dockerfile') }),
      ])
      .optional(),
    command: z.union([stringList, z.string()]).optional(),
    entrypoint: z.union([stringList, z.string()]).optional(),
    environment: z.union([envMap, z.array(z.string())]).optional(),
    ports: z.array(z.string()).default([]),
    volumes: z.array(z.string()).default([]),
    healthcheck: z
      .object({
        test: z.union([stringList, z.string()]).optional(),
        disable: z.boolean().optional(),
      })
      .optional(),
    depends_on: dependsOn.default({}),
    restart: z.string().optional(),
  })
  .loose();

const composeSchema = z
  .object({
    name: z.string().optional(),
    services: z.record(z.string(), serviceSchema),
    volumes: z.record(z.string(), z.unknown().nullable()).default({}),
    secrets: z.record(z.string(), z.unknown()).default({}),
  })
  .loose();

export type ComposeService = z.infer<typeof serviceSchema>;
export type ComposeFile = z.infer<typeof composeSchema>;

export class ComposeError extends Error {
  readonly code = 'COMPOSE_INVALID';
}

/** Interpolates every string of a parsed YAML tree (keys stay as written). */
function interpolateTree(node: unknown, lookup: Lookup): unknown {
  if (typeof node === 'string') return interpolate(node, lookup);
  if (Array.isArray(node)) return node.map((n) => interpolateTree(n, lookup));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, interpolateTree(v, lookup)]),
    );
  }
  return node;
}

/** The raw YAML tree, anchors and merge keys applied, not interpolated. */
export function readComposeTree(text: string): Record<string, unknown> {
  const tree: unknown = parseYaml(text, { merge: true, maxAliasCount: 1000 });
  if (tree === null || typeof tree !== 'object') throw new ComposeError('compose file is empty');
  return tree as Record<string, unknown>;
}

export function parseCompose(text: string, lookup: Lookup): ComposeFile {
  const result = composeSchema.safeParse(interpolateTree(readComposeTree(text), lookup));
  if (!result.success) {
    throw new ComposeError(`compose file: ${z.prettifyError(result.error)}`);
  }
  return result.data;
}

/**
 * The environment docker compose interpolates with: the process environment wins over the
 * project's .env file (KEY=VALUE lines, as node:util parseEnv reads them).
 */
export function projectEnvironment(
  envFileText: string | undefined,
  processEnv: NodeJS.ProcessEnv,
): Record<string, string> {
  const fromFile = envFileText === undefined ? {} : parseEnv(envFileText);
  const out: Record<string, string> = {};
  for (const source of [fromFile, processEnv]) {
    for (const [k, v] of Object.entries(source)) if (v !== undefined) out[k] = v;
  }
  return out;
}

export function readEnvFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** A service's container environment: literal values, and valueless names from `env`. */
export function serviceEnvironment(
  service: ComposeService,
  env: Readonly<Record<string, string>>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const raw = service.environment ?? {};
  const entries: [string, string | null][] = Array.isArray(raw)
    ? raw.map((line) => {
        const eq = line.indexOf('=');
        return eq < 0 ? [line, null] : [line.slice(0, eq), line.slice(eq + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, v === null ? null : String(v)]);
  for (const [name, value] of entries) {
    if (value !== null) out[name] = value;
    else if (env[name] !== undefined) out[name] = env[name];
  }
  return out;
}

const secretSource = z.object({ environment: z.string().optional() }).loose();
const serviceSecret = z.union([z.string(), z.object({ source: z.string() }).loose()]);

/**
 * Variables a service's secrets are read from (top-level `secrets: x: environment: VAR`):
 * docker compose copies their values into the container when it creates it, and refuses to
 * create it when one is not set.
 */
export function secretVariables(compose: ComposeFile, serviceName: string): string[] {
  const service = compose.services[serviceName];
  const refs = z
    .array(serviceSecret)
    .catch([])
    .parse(service?.['secrets'] ?? []);
  return refs.flatMap((ref) => {
    const source = typeof ref === 'string' ? ref : ref.source;
    const variable = secretSource.safeParse(compose.secrets[source]).data?.environment;
    return variable === undefined ? [] : [variable];
  });
}

export interface PublishedPort {
  /** Host address; undefined = all interfaces. */
  readonly hostIp: string | undefined;
  readonly hostPort: number;
  readonly containerPort: number;
}

/** Short port syntax: [ip:]host:container (IPv4 or [IPv6]). */
export function parsePort(spec: string): PublishedPort {
  const m = /^(?:(\[[^\]]+\]|[^:]+):)?(\d+):(\d+)(?:\/(?:tcp|udp))?$/.exec(spec);
  if (!m)
    throw new ComposeError(
      `unsupported port syntax ${JSON.stringify(spec)} (use [ip:]host:container)`,
    );
  return { hostIp: m[1], hostPort: Number(m[2]), containerPort: Number(m[3]) };
}

/** Services a COMPOSE_PROFILES value starts (every service here has a profile). */
export function servicesFor(compose: ComposeFile, profiles: readonly string[]): string[] {
  return Object.entries(compose.services)
    .filter(([, s]) => s.profiles.length === 0 || s.profiles.some((p) => profiles.includes(p)))
    .map(([name]) => name);
}

export function asArgv(value: readonly string[] | string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return typeof value === 'string' ? ['/bin/sh', '-c', value] : [...value];
}
