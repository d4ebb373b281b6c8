/**
 * Scoring one dataset on many workers: each part job writes `part-NNNNN.csv` (part 0 with the
 * header, so the parts concatenated are exactly the single-process output) and its rejected
 * rows; the final job checks every part, merges the rejected rows with their line numbers
 * made file-global, and writes `manifest.json` last — its presence means the output is
 * complete. Parts are written atomically, so a retried or duplicated job changes nothing.
 */
import {
  childLocation,
  formatLocation,
  parseLocation,
  type Location,
  type Storage,
} from '@wine/azure';
import { z } from 'zod';
import { BatchError } from './errors';
import { parseRejectedLine, REJECTED_HEADER, rejectedLine } from './rejected-csv';
import { scoreSegments, type BatchModel, type Segment } from './score-stream';
import type { PartTask } from './plan';

export const MANIFEST_FILE = 'manifest.json';
export const REJECTED_FILE = 'rejected.csv';
export const MANIFEST_FORMAT = 'wine-batch-manifest';

export const partName = (index: number): string => `part-${String(index).padStart(5, '0')}.csv`;
const partRejectedName = (index: number): string =>
  `.part-${String(index).padStart(5, '0')}.rejected.csv`;

/** A part job's input (JSON: it travels through the queue). */
export const partJobSchema = z.object({
  index: z.number().int().nonnegative(),
  segments: z.array(
    z.object({
      location: z.string(),
      start: z.number().int().nonnegative(),
      end: z.number().int().nonnegative(),
    }),
  ),
  header: z.string(),
  output: z.string(),
  modelVersionColumn: z.boolean(),
});
export type PartJob = z.infer<typeof partJobSchema>;

export const partResultSchema = z.object({
  index: z.number().int().nonnegative(),
  name: z.string(),
  rows: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  modelVersion: z.string(),
  segments: z.array(
    z.object({
      location: z.string(),
      start: z.number().int(),
      end: z.number().int(),
      lines: z.number().int(),
    }),
  ),
});
export type PartResult = z.infer<typeof partResultSchema>;

export const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  version: z.literal(1),
  input: z.array(z.string()),
  output: z.string(),
  header: z.string(),
  model: z.object({ uri: z.string(), version: z.string(), sha256: z.string() }),
  rows: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  rejectedFile: z.string(),
  parts: z.array(
    z.object({
      name: z.string(),
      rows: z.number().int().nonnegative(),
      rejected: z.number().int().nonnegative(),
      bytes: z.number().int().nonnegative(),
      sha256: z.string(),
    }),
  ),
});
export type Manifest = z.infer<typeof manifestSchema>;

export function partJobs(
  parts: readonly PartTask[],
  settings: {
    readonly header: string;
    readonly output: Location;
    readonly modelVersionColumn: boolean;
  },
): PartJob[] {
  return parts.map((part) => ({
    index: part.index,
    segments: part.segments.map((s) => ({
      location: formatLocation(s.location),
      start: s.start,
      end: s.end,
    })),
    header: settings.header,
    output: formatLocation(settings.output),
    modelVersionColumn: settings.modelVersionColumn,
  }));
}

export async function scorePart(
  job: PartJob,
  deps: {
    readonly storage: Storage;
    readonly model: BatchModel;
    readonly onBytes?: (n: number) => void;
  },
): Promise<PartResult> {
  const folder = parseLocation(job.output);
  const out = deps.storage.writer(childLocation(folder, partName(job.index)), {
    contentType: 'text/csv',
  });
  const rejected = deps.storage.writer(childLocation(folder, partRejectedName(job.index)), {
    contentType: 'text/csv',
  });
  const segments: Segment[] = job.segments.map((s) => ({
    ...s,
    location: parseLocation(s.location),
  }));
  try {
    rejected.stream.write(REJECTED_HEADER);
    const result = await scoreSegments(
      segments,
      deps.model,
      deps.storage,
      { output: out.stream, rejected: rejected.stream },
      {
        header: job.header,
        writeHeader: job.index === 0,
        modelVersionColumn: job.modelVersionColumn,
        ...(deps.onBytes === undefined ? {} : { onBytes: deps.onBytes }),
      },
    );
    await rejected.commit();
    const written = await out.commit();
    return {
      index: job.index,
      name: partName(job.index),
      rows: result.rows,
      rejected: result.rejected,
      bytes: written.bytes,
      sha256: written.sha256,
      modelVersion: deps.model.version,
      segments: result.segments.map((s) => ({
        location: formatLocation(s.location),
        start: s.start,
        end: s.end,
        lines: s.lines,
      })),
    };
  } catch (error) {
    await Promise.all([out.abort(), rejected.abort()]);
    throw error;
  }
}

/** Lines before each segment in its file, so a part's local line numbers become file-global. */
function lineOffsets(
  parts: readonly PartResult[],
): Map<string, { start: number; end: number; before: number }[]> {
  const byFile = new Map<string, { start: number; end: number; lines: number }[]>();
  for (const part of parts) {
    for (const s of part.segments) {
      const list = byFile.get(s.location) ?? [];
      list.push({ start: s.start, end: s.end, lines: s.lines });
      byFile.set(s.location, list);
    }
  }
  const out = new Map<string, { start: number; end: number; before: number }[]>();
  for (const [file, list] of byFile) {
    list.sort((a, b) => a.start - b.start);
    let before = 0;
    out.set(
      file,
      list.map((s) => {
        const entry = { start: s.start, end: s.end, before };
        before += s.lines;
        return entry;
      }),
    );
  }
  return out;
}

export interface ManifestJob {
  readonly output: string;
  readonly input: readonly string[];
  readonly header: string;
  readonly parts: number;
  readonly model: { readonly uri: string; readonly version: string; readonly sha256: string };
}

export async function writeManifest(
  job: ManifestJob,
  results: readonly PartResult[],
  deps: { readonly storage: Storage },
): Promise<Manifest> {
  const sorted = [...results].sort((a, b) => a.index - b.index);
  const missing = Array.from({ length: job.parts }, (_, i) => i).filter(
    (i) => sorted[i]?.index !== i,
  );
  if (missing.length > 0 || sorted.length !== job.parts) {
    throw new BatchError(
      'BATCH_PART_INVALID',
      `parts missing: ${missing.map(partName).join(', ') || '?'}`,
    );
  }
  const folder = parseLocation(job.output);
  for (const part of sorted) {
    const info = await deps.storage.stat(childLocation(folder, part.name));
    if (info === undefined || info.size !== part.bytes) {
      throw new BatchError(
        'BATCH_PART_INVALID',
        `${part.name}: missing or not the size its job reported (${part.bytes} bytes)`,
      );
    }
    if (part.modelVersion !== job.model.version) {
      throw new BatchError(
        'BATCH_MODEL_MISMATCH',
        `${part.name} was scored by model ${part.modelVersion}, not ${job.model.version}`,
      );
    }
  }
  const offsets = lineOffsets(sorted);
  const merged = deps.storage.writer(childLocation(folder, REJECTED_FILE), {
    contentType: 'text/csv',
  });
  try {
    merged.stream.write(REJECTED_HEADER);
    for (const part of sorted) {
      let text = '';
      for await (const chunk of deps.storage.read(
        childLocation(folder, partRejectedName(part.index)),
      )) {
        text += (chunk as Buffer).toString('utf8');
      }
      for (const line of text.split('\n').slice(1)) {
        if (line === '') continue;
        const r = parseRejectedLine(line);
        if (r === undefined)
          throw new BatchError(
            'BATCH_PART_INVALID',
            `${part.name}: unreadable rejected row "${line}"`,
          );
        const seg = offsets
          .get(r.file)
          ?.find((s) => r.byteOffset >= s.start && r.byteOffset < s.end);
        const global = { ...r, line: r.line + (seg?.before ?? 0) };
        if (!merged.stream.write(Buffer.from(rejectedLine(global), 'utf8'))) {
          await new Promise((resolve) => merged.stream.once('drain', resolve));
        }
      }
    }
    await merged.commit();
  } catch (error) {
    await merged.abort();
    throw error;
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    version: 1,
    input: [...job.input],
    output: job.output,
    header: job.header,
    model: { ...job.model },
    rows: sorted.reduce((n, p) => n + p.rows, 0),
    rejected: sorted.reduce((n, p) => n + p.rejected, 0),
    rejectedFile: REJECTED_FILE,
    parts: sorted.map((p) => ({
      name: p.name,
      rows: p.rows,
      rejected: p.rejected,
      bytes: p.bytes,
      sha256: p.sha256,
    })),
  };
  const writer = deps.storage.writer(childLocation(folder, MANIFEST_FILE), {
    contentType: 'application/json',
  });
  writer.stream.end(`${JSON.stringify(manifest, null, 2)}\n`);
  await writer.commit();
  await Promise.all(
    sorted.map((p) => deps.storage.remove(childLocation(folder, partRejectedName(p.index)))),
  );
  return manifest;
}
