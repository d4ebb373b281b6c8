/**
 * What the stack's tooling needs to know about a Dockerfile: its stages, and of the final one
 * the base image, CMD / ENTRYPOINT / HEALTHCHECK in exec form, USER, WORKDIR, ENV, LABELs and
 * EXPOSEd ports. Parsing is dockerfile-ast's (the parser of VS Code's Dockerfile support);
 * this module only reads its instructions. Pure: text in, data out.
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast';

export interface Healthcheck {
  /** Exec form of `HEALTHCHECK CMD`, or undefined for `HEALTHCHECK NONE`. */
  readonly test: readonly string[] | undefined;
  /** --interval, --timeout, --start-period, --retries… without the dashes. */
  readonly options: Readonly<Record<string, string>>;
}

export interface Stage {
  /** FROM with build-arg defaults substituted, e.g. node:24.19.0-trixie-slim. */
  readonly from: string;
  readonly name: string | undefined;
  /** Every instruction as KEYWORD + its argument text (continuations joined). */
  readonly instructions: readonly { readonly keyword: string; readonly args: string }[];
  readonly cmd: readonly string[] | undefined;
  readonly entrypoint: readonly string[] | undefined;
  readonly healthcheck: Healthcheck | undefined;
  readonly user: string | undefined;
  readonly workdir: string | undefined;
  readonly env: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
  readonly expose: readonly number[];
}

export interface DockerfileInfo {
  readonly stages: readonly Stage[];
  /** The stage the image is: the last one. */
  readonly final: Stage;
}

export class DockerfileError extends Error {
  readonly code = 'DOCKERFILE_INVALID';
}

/** `["node", "dist/main.js"]` → its strings; shell form → `/bin/sh -c <text>` as Docker runs it. */
export function execForm(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    const parsed: unknown = JSON.parse(trimmed);
    if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
      throw new DockerfileError(`not a JSON array of strings: ${trimmed}`);
    }
    return parsed;
  }
  return ['/bin/sh', '-c', trimmed];
}

function unquote(value: string): string {
  return /^".*"$/s.test(value) ? value.slice(1, -1).replace(/\\"/g, '"') : value;
}

/** Key=value pairs of ENV and LABEL (quoted values may hold spaces). */
function pairs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    out[m[1] ?? ''] = unquote(m[2] ?? '');
  }
  return out;
}

function parseHealthcheck(args: string): Healthcheck {
  const options: Record<string, string> = {};
  let rest = args.trim();
  for (let m = /^--([a-z-]+)=(\S+)\s+/.exec(rest); m; m = /^--([a-z-]+)=(\S+)\s+/.exec(rest)) {
    options[m[1] ?? ''] = m[2] ?? '';
    rest = rest.slice(m[0].length);
  }
  if (/^NONE$/i.test(rest)) return { test: undefined, options };
  const cmd = /^CMD\s+([\s\S]+)$/i.exec(rest);
  if (!cmd?.[1]) throw new DockerfileError(`HEALTHCHECK without CMD: ${args}`);
  return { test: execForm(cmd[1]), options };
}

function substitute(text: string, args: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, a, b) => {
    const name = (a ?? b) as string;
    return args[name] ?? all;
  });
}

export function parseDockerfile(text: string): DockerfileInfo {
  const parsed = DockerfileParser.parse(text);
  const globalArgs: Record<string, string> = {};
  for (const arg of parsed.getInitialARGs()) {
    Object.assign(globalArgs, pairs(arg.getArgumentsContent() ?? ''));
  }
  const stages: Stage[] = [];
  let current: { from: string; name: string | undefined; list: Instruction[] } | undefined;
  const close = () => {
    if (current) stages.push(stageOf(current.from, current.name, current.list));
  };
  for (const instruction of parsed.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    if (keyword === 'FROM') {
      close();
      const words = (instruction.getArgumentsContent() ?? '').trim().split(/\s+/);
      const image = words.find((w) => !w.startsWith('--')) ?? '';
      const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
      current = {
        from: substitute(image, globalArgs),
        name: asIndex >= 0 ? words[asIndex + 1] : undefined,
        list: [],
      };
    } else if (current) {
      current.list.push(instruction);
    }
  }
  close();
  const final = stages.at(-1);
  if (final === undefined) throw new DockerfileError('no FROM instruction');
  return { stages, final };
}

function flagsOf(instruction: Instruction): string[] {
  const withFlags = instruction as Instruction & { getFlags?: () => { toString(): string }[] };
  return typeof withFlags.getFlags === 'function'
    ? withFlags.getFlags().map((f) => f.toString())
    : [];
}

function stageOf(from: string, name: string | undefined, list: readonly Instruction[]): Stage {
  const instructions = list.map((i) => ({
    keyword: i.getKeyword().toUpperCase(),
    // dockerfile-ast reports flags (--from=, --mount=, --interval=…) apart from the arguments.
    args: [...flagsOf(i), i.getArgumentsContent() ?? ''].join(' '),
  }));
  const last = (keyword: string) => instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
  const merged = (keyword: string) =>
    Object.assign(
      {},
      ...instructions.filter((i) => i.keyword === keyword).map((i) => pairs(i.args)),
    ) as Record<string, string>;
  const cmd = last('CMD');
  const entrypoint = last('ENTRYPOINT');
  const healthcheck = last('HEALTHCHECK');
  return {
    from,
    name,
    instructions,
    cmd: cmd === undefined ? undefined : execForm(cmd),
    entrypoint: entrypoint === undefined ? undefined : execForm(entrypoint),
    healthcheck: healthcheck === undefined ? undefined : parseHealthcheck(healthcheck),
    user: last('USER')?.trim(),
    workdir: last('WORKDIR')?.trim(),
    env: merged('ENV'),
    labels: merged('LABEL'),
    expose: instructions
      .filter((i) => i.keyword === 'EXPOSE')
      .flatMap((i) => i.args.trim().split(/\s+/))
      .map((p) => Number.parseInt(p, 10)),
  };
}
