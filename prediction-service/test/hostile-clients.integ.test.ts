/**
 * The hostile-client suite (issue 13): the built service under each attack, on loopback,
 * while a well-behaved client on another loopback address (127.0.0.2) keeps scoring single
 * records. During every attack that client must see ≥ 99 % answered 200, a p99 latency under
 * 50 ms, no error body over 100 kB, and the service's RSS must stay under 400 MB.
 *
 * Attacks (test/hostile/attacker.ts, separate processes, all from 127.0.0.1):
 *   flood      24,000 idle sockets from three processes (one process may hold ~20,000 files),
 *              opened over 5 s and held
 *   slowloris  200 sockets sending headers a byte every 200 ms
 *   trickle    200 requests sending their body a byte every 200 ms
 *   chunked    4 clients streaming endless chunked bodies, starting over 100 ms after each refusal
 *   wide       4 clients sending ~1 MiB of distinct unknown keys in a closed loop
 * HEADERS_TIMEOUT_S=2 and REQUEST_TIMEOUT_S=3 make the timeouts act within a window (the flood
 * runs against a service with the default timeouts, so only the caps act). It is a test of
 * behaviour, not a benchmark: about 50 s on 2 cores.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { SERVICE_MAIN, getText, metricValue, startService } from './service-process';
import type { ServiceProcess } from './service-process';

const HOSTILE = path.join(__dirname, 'hostile');
const WARMUP_MS = 1500;
const WINDOW_MS = 5000;

interface AttackStats {
  kind: string;
  opened: number;
  connectErrors: number;
  closedByServer: number;
  cutAfterMs: number[];
  statuses: Record<string, number>;
  answerMs: number[];
  maxResponseBytes: number;
  maxBodyBytesSent: number;
}

/** Runs one of the test/hostile scripts and parses the JSON line it prints at the end. */
function runScript<T>(
  script: string,
  args: readonly (string | number)[],
  nice: boolean,
): Promise<T> {
  const node = [
    process.execPath,
    '--disable-warning=MODULE_TYPELESS_PACKAGE_JSON',
    path.join(HOSTILE, script),
    ...args.map(String),
  ];
  // Attackers yield the CPU (nice 19): they stand for machines elsewhere, and the test is
  // about what the service does with their traffic, not how one box shares its cores.
  const [command, ...rest] = nice ? ['nice', '-n', '19', ...node] : node;
  return new Promise((resolve, reject) => {
    const child = spawn(command as string, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as T);
      else reject(new Error(`${script} ${args.join(' ')} exited ${String(code)}: ${err}`));
    });
  });
}

const attack = (kind: string, port: number, ms: number, count: number): Promise<AttackStats> =>
  runScript<AttackStats>('attacker.ts', [kind, port, ms, count], true);

interface Served {
  requests: number;
  ok: number;
  failures: string[];
  p50: number;
  p99: number;
  max: number;
  maxBodyBytes: number;
}

interface Observed extends Served {
  maxRssMb: number;
  maxOpenFiles: number;
  /** http_open_connections{server="public"} halfway through. */
  openConnections: number;
  /** http_connections_shed_total{limit="per_address"} at the end. */
  shedPerAddress: number;
}

/** The well-behaved client (its own process) plus the service's RSS and open files, for `ms`. */
async function observe(service: ServiceProcess, ms: number): Promise<Observed> {
  const served = runScript<Served>('well-behaved.ts', [service.port, ms], false);
  let maxRssMb = 0;
  let maxOpenFiles = 0;
  let openConnections = 0;
  const pid = service.child.pid as number;
  const sampler = setInterval(() => {
    const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    maxRssMb = Math.max(maxRssMb, Number(rss) / 1024);
    maxOpenFiles = Math.max(maxOpenFiles, readdirSync(`/proc/${pid}/fd`).length);
  }, 100);
  const scrape = setTimeout(() => {
    void getText(`${service.managementUrl}/metrics`).then((text) => {
      openConnections = metricValue(text, 'http_open_connections', { server: 'public' });
    });
  }, ms / 2);
  const seen = await served;
  clearInterval(sampler);
  clearTimeout(scrape);
  const shedPerAddress = metricValue(
    await getText(`${service.managementUrl}/metrics`),
    'http_connections_shed_total',
    { limit: 'per_address' },
  );
  return { ...seen, maxRssMb, maxOpenFiles, openConnections, shedPerAddress };
}

/** The well-behaved client's promises, whatever the attack. */
function expectServed(seen: Observed): void {
  expect(seen.requests).toBeGreaterThan(100);
  expect({ ok: seen.ok / seen.requests >= 0.99, failures: seen.failures.slice(0, 5) }).toEqual({
    ok: true,
    failures: expect.any(Array),
  });
  expect(seen.p99).toBeLessThan(50);
  expect(seen.maxBodyBytes).toBeLessThan(100_000);
  expect(seen.maxRssMb).toBeLessThan(400);
}

async function underAttack(
  service: ServiceProcess,
  kind: string,
  processes: number,
  count: number,
): Promise<{ seen: Observed; attacks: AttackStats[] }> {
  const ms = WARMUP_MS + WINDOW_MS + 500;
  const attacks = Promise.all(
    Array.from({ length: processes }, () => attack(kind, service.port, ms, count)),
  );
  await new Promise((r) => setTimeout(r, WARMUP_MS));
  const seen = await observe(service, WINDOW_MS);
  const stats = await attacks;
  const summary = stats.map((a) => ({
    opened: a.opened,
    closedByServer: a.closedByServer,
    statuses: a.statuses,
    maxAnswerMs: Math.max(0, ...a.answerMs),
    maxCutMs: Math.max(0, ...a.cutAfterMs),
  }));
  console.log(kind, JSON.stringify({ ...seen, failures: seen.failures.slice(0, 5), summary }));
  return { seen, attacks: stats };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const built = existsSync(SERVICE_MAIN);
const onLinux = process.platform === 'linux';
const required = process.env['REQUIRE_REAL_SERVICES'] === '1';
if (!built || !onLinux) {
  const why = !built
    ? `${SERVICE_MAIN} is missing: run \`pnpm build\` first`
    : 'the suite reads /proc and binds 127.0.0.2 (Linux loopback)';
  if (required) {
    test('the hostile-client suite can run (REQUIRE_REAL_SERVICES=1)', () => {
      throw new Error(why);
    });
  } else {
    console.warn(`SKIPPING the hostile-client suite: ${why}`);
  }
}

(built && onLinux ? describe : describe.skip)('hostile clients against the built service', () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService({ HEADERS_TIMEOUT_S: '2', REQUEST_TIMEOUT_S: '3' });
    const calm = await observe(service, 1500);
    console.log('no attack', JSON.stringify(calm));
  });
  afterAll(async () => {
    await service.stop();
  });

  it('24,000 idle sockets from one address: it holds its per-address cap, others are served', async () => {
    // Default timeouts: the idle sockets are not cut within the window, only the cap acts.
    const defaults = await startService({});
    let result: Awaited<ReturnType<typeof underAttack>>;
    try {
      result = await underAttack(defaults, 'flood', 3, 8000);
    } finally {
      await defaults.stop();
    }
    const { seen, attacks } = result;
    expectServed(seen);
    expect(sum(attacks.map((a) => a.opened + a.connectErrors))).toBe(24_000);
    // The flood got 256 (MAX_CONNECTIONS_PER_ADDRESS) at a time, far below the file limit.
    expect(seen.openConnections).toBeLessThanOrEqual(256 + 2);
    expect(seen.maxOpenFiles).toBeLessThan(1000);
    expect(seen.shedPerAddress).toBeGreaterThan(20_000);
  });

  it('slowloris: headers a byte at a time are cut after HEADERS_TIMEOUT_S', async () => {
    const { seen, attacks } = await underAttack(service, 'slowloris', 1, 200);
    expectServed(seen);
    const [loris] = attacks;
    expect(loris?.closedByServer).toBe(200);
    expect(Math.max(...(loris?.cutAfterMs ?? [Infinity]))).toBeLessThan(4000);
  });

  it('a trickled body is cut after REQUEST_TIMEOUT_S', async () => {
    const { seen, attacks } = await underAttack(service, 'trickle', 1, 200);
    expectServed(seen);
    const [trickle] = attacks;
    expect(trickle?.closedByServer).toBe(200);
    expect(Math.max(...(trickle?.cutAfterMs ?? [Infinity]))).toBeLessThan(5000);
  });

  it('endless chunked bodies are refused with 413 within a chunk of the limit', async () => {
    const { seen, attacks } = await underAttack(service, 'chunked', 1, 4);
    expectServed(seen);
    const [chunked] = attacks;
    // 'none': the 413 came while the pusher was still writing, and the close reset the
    // connection before it read the answer (raw sockets here; HTTP clients read as they send).
    expect(Object.keys(chunked?.statuses ?? {}).filter((s) => s !== 'none')).toEqual(['413']);
    expect(chunked?.maxResponseBytes).toBeLessThan(100_000);
    // Refused at once, not read until a timeout: the pusher never got far past 1 MiB.
    expect(Math.max(...(chunked?.answerMs ?? [Infinity]))).toBeLessThan(1000);
    expect(chunked?.maxBodyBytesSent).toBeLessThan(16 * 1024 * 1024);
  });

  it('~1 MiB of unknown keys from 4 clients gets small 422s and costs the others nothing', async () => {
    const { seen, attacks } = await underAttack(service, 'wide', 1, 4);
    expectServed(seen);
    const [wide] = attacks;
    expect(Object.keys(wide?.statuses ?? {}).filter((s) => s !== 'none')).toEqual(['422']);
    expect(wide?.maxResponseBytes).toBeLessThan(100_000);
  });
});
