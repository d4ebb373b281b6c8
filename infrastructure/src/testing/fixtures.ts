import { Testing } from 'cdktf';
import { parseConfig } from '../config';
import type { InfraConfig } from '../config.schema';
import { STACK_NAME, WineStack } from '../stack';

/** A complete, valid config file body; documentation addresses and a dummy subscription. */
export const VALID_CONFIG_INPUT = {
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  location: 'westeurope',
  namePrefix: 'wine',
  environment: 'test',
  allowedAdminCidr: '203.0.113.7/32',
  sshPublicKey: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCfixtureonly== test@example.com',
  release: {
    version: '0.1.0',
    url: 'https://example.com/releases/wine-stack-0.1.0.tar.gz',
    sha256: 'a'.repeat(64),
  },
};

export function testConfig(overrides: Record<string, unknown> = {}): InfraConfig {
  return parseConfig(JSON.stringify({ ...VALID_CONFIG_INPUT, ...overrides }), {}, 'fixture');
}

/** The scaled profile with every default. */
export function scaledConfig(overrides: Record<string, unknown> = {}): InfraConfig {
  return testConfig({ profile: 'scaled', ...overrides });
}

/** The three stacks the security tests and checkov cover. */
export const PROFILE_VARIANTS: readonly (readonly [string, () => InfraConfig])[] = [
  ['single-vm', () => testConfig()],
  ['scaled', () => scaledConfig()],
  [
    'scaled with Azure Cache for Redis',
    () => scaledConfig({ redis: { service: 'cache-for-redis' } }),
  ],
];

export interface SynthJson {
  terraform: { backend?: Record<string, Record<string, unknown>> };
  provider: Record<string, Record<string, unknown>[]>;
  data: Record<string, Record<string, Record<string, unknown>>>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown; description?: string }>;
}

/** Synthesizes in memory (Testing.app: temp outdir, stubbed version) and returns the raw string. */
export function synthText(config: InfraConfig = testConfig()): string {
  const app = Testing.app();
  return Testing.synth(new WineStack(app, STACK_NAME, config));
}

export function synthJson(config?: InfraConfig): SynthJson {
  return JSON.parse(synthText(config)) as SynthJson;
}

/** Terraform reference "${type.name.attr}" to the single resource of that type. */
export function refTo(json: SynthJson, type: string, attr: string): string {
  const ids = Object.keys(json.resource[type] ?? {});
  if (ids.length !== 1) throw new TypeError(`expected one ${type}, found ${ids.length}`);
  return `\${${type}.${ids[0] ?? ''}.${attr}}`;
}

/** The construct-id key of the one resource of a type whose id contains `part`. */
export function resourceNamed(
  json: SynthJson,
  type: string,
  part: string,
): [string, Record<string, unknown>] {
  const entries = Object.entries(json.resource[type] ?? {}).filter(([id]) => id.includes(part));
  const [first, ...rest] = entries;
  if (first === undefined || rest.length > 0) {
    throw new TypeError(`expected one ${type} named *${part}*, found ${entries.length}`);
  }
  return first;
}

/** The custom_data of a VM or scale set, decoded. */
export function decodedCustomData(resource: Record<string, unknown>): string {
  return Buffer.from(String(resource['custom_data']), 'base64').toString('utf8');
}

/** All resources of one Terraform type, in synth order (keys are construct ids). */
export function resourcesOf(json: SynthJson, type: string): Record<string, unknown>[] {
  return Object.values(json.resource[type] ?? {});
}

export function onlyResource(json: SynthJson, type: string): Record<string, unknown> {
  const [first, ...rest] = resourcesOf(json, type);
  if (first === undefined || rest.length > 0) {
    throw new TypeError(`expected one ${type}, found ${rest.length + (first ? 1 : 0)}`);
  }
  return first;
}

/** Every string in a JSON value, with its path ("/type/id/attr/..."). */
export function stringsIn(value: unknown, path = ''): [string, string][] {
  if (typeof value === 'string') return [[path, value]];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => stringsIn(child, `${path}/${key}`));
}
