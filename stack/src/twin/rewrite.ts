/**
 * How the compose stack's addresses and paths become the process twin's: inside compose every
 * service reaches another by its service name on the network (`postgres:5432`,
 * `http://pipeline-api:9699/...`) and sees its mounts at container paths (`/etc/prometheus/...`).
 * As processes on one machine, every service listens on 127.0.0.1 at its port plus the offset,
 * and a container path is a directory under the data directory that mirrors the mounts. These
 * rewrites apply to environment values, command arguments and the mounted config files alike,
 * so the same prometheus.yml, alertmanager.yml and Grafana provisioning drive both stacks.
 */

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export interface AddressRewrite {
  /** Compose service names (resolve to 127.0.0.1). */
  readonly services: readonly string[];
  /** Container ports some service listens on (shift by the offset wherever addressed). */
  readonly ports: ReadonlySet<number>;
  readonly offset: number;
}

/**
 * `name:port` in host position (after start, `//`, `@`, `,`, a quote, whitespace, `[` or `=`;
 * before end, `/`, `,`, a quote, whitespace or `]`) → `127.0.0.1:port+offset`; a bare `name` only
 * as a URL's host (after `//` or `@`) or in a comma-separated host list (`mlflow,mlflow:5000`),
 * so `job_name: prometheus` stays a name. `localhost` and `127.0.0.1` keep their name and shift a
 * known port. A URL scheme (`redis://`) is no host.
 */
export function rewriteAddresses(text: string, rule: AddressRewrite): string {
  const names = [...rule.services, 'localhost', '127.0.0.1']
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|');
  const pattern = new RegExp(`(^|//|[@,'"\\s\\[=])(${names})(?::(\\d+))?(?=$|[/,'"\\s\\]])`, 'g');
  return text.replace(
    pattern,
    (all, before: string, name: string, port: string | undefined, offset: number) => {
      const isService = rule.services.includes(name);
      if (port === undefined) {
        const after = text[offset + all.length];
        const inList = (before === ',' || before === '') && (after === ',' || before === ',');
        const urlHost = before === '//' || before === '@';
        return isService && (urlHost || inList) ? `${before}127.0.0.1` : all;
      }
      const n = Number(port);
      return `${before}${isService ? '127.0.0.1' : name}:${rule.ports.has(n) ? n + rule.offset : n}`;
    },
  );
}

/** Container paths (mount targets, longest first) → the same path under `root`. */
export function rewritePaths(text: string, targets: readonly string[], root: string): string {
  let out = text;
  for (const target of [...targets].sort((a, b) => b.length - a.length)) {
    const pattern = new RegExp(`(^|[^\\w/.-])${escape(target)}(?=$|[/'"\\s:,;])`, 'g');
    out = out.replace(pattern, (_all, before: string) => `${before}${root}${target}`);
  }
  return out;
}
