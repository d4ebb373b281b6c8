import { readFileSync } from 'node:fs';
import path from 'node:path';
import { KEY_VAULT_ENV_DOCS, STORAGE_ENV_DOCS } from '@wine/azure';

it('.env.sample documents every variable the data plane reads', () => {
  const sample = readFileSync(path.resolve(__dirname, '..', '..', '..', '.env.sample'), 'utf8');
  const documented = new Set([...sample.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
  const names = Object.keys({ ...STORAGE_ENV_DOCS, ...KEY_VAULT_ENV_DOCS });
  expect(names.filter((name) => !documented.has(name))).toEqual([]);
});
