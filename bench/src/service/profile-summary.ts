/**
 * Summarises a V8 CPU profile (`node --cpu-prof`) of a server under load as Markdown: self
 * time per function and inclusive time of the service's own functions, both in µs per
 * request, so profiles of runs with different request counts compare directly.
 *
 * Usage: node bench/dist/service/profile-summary.js <file.cpuprofile> <requests served> [top]
 *
 * The profiler samples wall-clock time on the main thread: a sample taken while the thread
 * waits for a core (a loaded machine) lands in whatever was running, mostly the socket write.
 * Compare shares within one profile, and CPU per request (bench/src/service/load.ts) across runs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function label(frame: CallFrame): string {
  const file = frame.url
    .replace(/^file:\/\//, '')
    .replace(/.*node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, '')
    .replace(/.*\/(prediction-service|packages|bench)\//, '$1/');
  const name = frame.functionName === '' ? '(anonymous)' : frame.functionName;
  return file === '' ? name : `${name} ${file}:${frame.lineNumber + 1}`;
}

export function summarise(profile: CpuProfile, requests: number, top = 30): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfById = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    selfById.set(id, (selfById.get(id) ?? 0) + dt);
  });
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of selfById) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + t);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = byId.get(cur);
      if (n === undefined) break;
      const k = label(n.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + t);
    }
  }
  const idle = self.get('(idle)') ?? 0;
  const us = (t: number): string => (t / requests).toFixed(2);
  const pct = (t: number): string => ((t / total) * 100).toFixed(1);
  const lines = [
    `Profile: ${(total / 1e6).toFixed(1)} s, ${requests.toLocaleString('en-US')} requests, ` +
      `${us(total - idle)} µs/request not idle (${pct(idle)} % idle).`,
    '',
    `Top ${top} by self time:`,
    '',
    '| self % | µs/request | function |',
    '| ---: | ---: | --- |',
    ...[...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, t]) => `| ${pct(t)} | ${us(t)} | \`${k}\` |`),
    '',
    'Inclusive time of the service’s own functions (prediction-service/, packages/):',
    '',
    '| incl. % | µs/request | function |',
    '| ---: | ---: | --- |',
    ...[...inclusive]
      .filter(
        ([k]) =>
          /(prediction-service|packages)\/.*dist\//.test(k) && !/^\(anonymous\) .*:1$/.test(k),
      )
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, t]) => `| ${pct(t)} | ${us(t)} | \`${k}\` |`),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const [file, requests, top] = process.argv.slice(2);
  if (file === undefined || requests === undefined || !(Number(requests) > 0)) {
    console.error(
      `usage: node ${path.relative(process.cwd(), __filename)} <file.cpuprofile> <requests served> [top]`,
    );
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(summarise(profile, Number(requests), top === undefined ? 30 : Number(top)));
}
