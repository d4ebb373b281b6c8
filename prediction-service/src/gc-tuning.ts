/**
 * V8 tuning for a server process, applied at startup by main.ts (every way the service
 * starts — `pnpm start`, the Docker image, the stack, the benchmarks — runs main.ts, and
 * cluster workers run it too).
 *
 * Allocation-site pretenuring off. Under sustained load V8 saw some request-path allocation
 * sites survive a scavenge (objects alive at a GC during a burst) and began allocating their
 * objects directly in the old generation. Those objects die with their request, but until the
 * next full GC they stay in the old generation pointing at the request's young objects, which
 * the scavenger must then treat as alive: every scavenge promoted ~15 MB and took 22–35 ms
 * instead of ~0.7 ms, and a Mark-Compact cleared it all every ~1 s (`--trace-gc`, one worker
 * at 28k req/s; bench/profiles/service-tail.md). The half-rate p99 went from 70–84 ms to
 * 8–11 ms on the same machine with the flag. Request objects never outlive their request, so
 * pretenuring has nothing to win here.
 *
 * An explicit `--allocation-site-pretenuring` / `--no-allocation-site-pretenuring` on the
 * command line or in NODE_OPTIONS wins.
 */
import v8 from 'node:v8';

const FLAG = 'allocation-site-pretenuring';

export function applyGcTuning(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env['NODE_OPTIONS'] ?? '',
): boolean {
  const explicit = [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) =>
    arg.replace(/_/g, '-').endsWith(FLAG),
  );
  if (explicit) return false;
  // V8 reads this flag at each garbage collection, so setting it now takes effect.
  v8.setFlagsFromString(`--no-${FLAG}`);
  return true;
}
