/** A progress bar on a terminal; silence elsewhere (pipes, CI logs, --json). */
import { SingleBar, Presets } from 'cli-progress';

export interface Progress {
  update(done: number, total: number, detail: string): void;
  stop(): void;
}

export function createProgress(
  label: string,
  options: { enabled?: boolean; stream?: NodeJS.WriteStream } = {},
): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.enabled === false || !stream.isTTY)
    return { update: () => undefined, stop: () => undefined };
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% | eta {eta_formatted} | {detail}`,
      stream,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, detail) {
      if (!started) {
        bar.start(total, 0, { detail: '' });
        started = true;
      }
      bar.update(done, { detail });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
