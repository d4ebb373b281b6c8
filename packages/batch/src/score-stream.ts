/**
 * The streaming engine: segments of CSV files (whole files, or the lines that start inside a
 * byte range) are read chunk by chunk, parsed into fixed-size blocks, scored with the packed
 * trees and written at once — memory stays at one block and one chunk whatever the input
 * size. Rows keep input order; refused rows go to the rejected sink with line and reason.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { formatLocation, type Location, type Storage } from '@wine/azure';
import type { Matrix } from '@wine/model';
import { BatchError } from './errors';
import { BOM_LATIN1 } from './csv-text';
import { rejectedLine } from './rejected-csv';
import { canonicalColumns, layoutOf, type RowLayout } from './row-layout';
import { addRow, COLS, ScoreBlock } from './row-parser';

/** What scoring needs from a model (the service's ServableModel provides it). */
export interface BatchModel {
  /** Written into the model_version column. */
  readonly version: string;
  predict(x: Matrix): Float64Array;
}

/** The lines of `location` that start in bytes [start, end). */
export interface Segment {
  readonly location: Location;
  readonly start: number;
  readonly end: number;
}

export interface SegmentResult extends Segment {
  /** Lines consumed (with the header and blank lines when start is 0). */
  readonly lines: number;
  /** Rows scored and written. */
  readonly rows: number;
  /** Rows refused (in the rejected sink); rows in = rows + rejected. */
  readonly rejected: number;
}

export interface ScoreSettings {
  /** Output header line (without newline) every segment's file must match; from planInput. */
  readonly header: string;
  readonly writeHeader: boolean;
  readonly modelVersionColumn: boolean;
  /** Rows per scoring block (default 8192). */
  readonly blockRows?: number;
  /** Bytes of input consumed so far. */
  readonly onBytes?: (bytes: number) => void;
}

export interface ScoreResult {
  /** Rows scored and written (rows in − rejected). */
  readonly rows: number;
  readonly rejected: number;
  readonly segments: readonly SegmentResult[];
}

const DEFAULT_BLOCK_ROWS = 8192;
/** Header lines longer than this are not CSV headers. */
const MAX_HEADER_BYTES = 1 << 20;

/** Output text is latin1 (input bytes passed through); the rejected file is UTF-8. */
async function write(
  stream: Writable,
  text: string,
  encoding: 'latin1' | 'utf8' = 'latin1',
): Promise<void> {
  if (text === '') return;
  if (!stream.write(Buffer.from(text, encoding))) await once(stream, 'drain');
}

/** The first line of a file (its header), read with a small ranged read. */
export async function readHeaderLine(storage: Storage, location: Location): Promise<string> {
  let text = '';
  for await (const chunk of storage.read(location, { start: 0, end: MAX_HEADER_BYTES })) {
    text += (chunk as Buffer).toString('latin1');
    const nl = text.indexOf('\n');
    if (nl >= 0) return text.slice(0, nl);
  }
  return text;
}

const COLOUR_CELL = [',red', ',white'] as const; // by WINE_TYPE_CODE
const COMMA = 0x2c;
const NEWLINE = 0x0a;
/** Longest String(double) is 24 characters ("-1.2345678901234567e-100"). */
const MAX_NUMBER_CHARS = 24;

/**
 * The block's rows as output bytes: each row's input bytes copied from the chunk (delimiters
 * turned into commas), the colour when it came from the file name, then the prediction and
 * the suffix (model version). No string per row except the number.
 */
function formatBlock(
  block: ScoreBlock,
  source: Buffer,
  model: BatchModel,
  suffix: string,
  layout: RowLayout,
): Buffer {
  const n = block.rows;
  if (n === 0) return Buffer.alloc(0);
  const x: Matrix = { data: block.x.subarray(0, n * COLS), rows: n, cols: COLS };
  const predictions = model.predict(x);
  const addColour = layout.fileType !== undefined;
  const delimiter = layout.delimiter.charCodeAt(0);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const rewritten = block.rewritten.size > 0 ? block.rewritten.get(i) : undefined;
    size +=
      rewritten === undefined
        ? (block.to[i] as number) - (block.from[i] as number)
        : rewritten.length;
  }
  size += n * (1 + MAX_NUMBER_CHARS + suffix.length + 1 + (addColour ? 6 : 0));
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    const rewritten = block.rewritten.size > 0 ? block.rewritten.get(i) : undefined;
    if (rewritten !== undefined) {
      pos += out.write(rewritten, pos, 'latin1');
    } else {
      const from = block.from[i] as number;
      const to = block.to[i] as number;
      source.copy(out, pos, from, to);
      if (delimiter !== COMMA) {
        for (let k = pos; k < pos + to - from; k++) if (out[k] === delimiter) out[k] = COMMA;
      }
      pos += to - from;
    }
    if (addColour) pos += out.write(COLOUR_CELL[block.colour[i] as 0 | 1], pos, 'latin1');
    out[pos++] = COMMA;
    pos += out.write(String(predictions[i]), pos, 'latin1');
    if (suffix !== '') pos += out.write(suffix, pos, 'latin1');
    out[pos++] = NEWLINE;
  }
  block.clear();
  return out.subarray(0, pos);
}

async function writeBytes(stream: Writable, bytes: Buffer): Promise<void> {
  if (bytes.length === 0) return;
  if (!stream.write(bytes)) await once(stream, 'drain');
}

/** The output header for an input header: input columns (+ wine_type) + prediction (+ model_version). */
export function outputHeaderOf(layout: RowLayout, modelVersionColumn: boolean): string {
  return `${layout.outputHeader},prediction${modelVersionColumn ? ',model_version' : ''}`;
}

export async function scoreSegments(
  segments: readonly Segment[],
  model: BatchModel,
  storage: Storage,
  sinks: { readonly output: Writable; readonly rejected: Writable },
  settings: ScoreSettings,
): Promise<ScoreResult> {
  const block = new ScoreBlock(settings.blockRows ?? DEFAULT_BLOCK_ROWS);
  const suffix = settings.modelVersionColumn ? `,${model.version}` : '';
  const expected = settings.header;
  const expectedColumns = canonicalColumns(expected);
  let rows = 0;
  let rejected = 0;
  const results: SegmentResult[] = [];
  if (settings.writeHeader) await write(sinks.output, `${expected}\n`);

  for (const segment of segments) {
    const file = formatLocation(segment.location);
    const headerLine = await readHeaderLine(storage, segment.location);
    const layout = layoutOf(headerLine, file);
    const found = outputHeaderOf(layout, settings.modelVersionColumn);
    if (canonicalColumns(found) !== expectedColumns) {
      throw new BatchError(
        'BATCH_COLUMNS_DIFFER',
        `${file}: its columns differ from the dataset's first file; score files with different columns separately`,
        { details: [`expected: ${expected}`, `found: ${found}`] },
      );
    }
    // From start − 1: a segment owns the lines that start inside it, so it skips the line in
    // progress at its start (which the previous segment finishes) unless byte start − 1 is "\n".
    const readFrom = segment.start === 0 ? 0 : segment.start - 1;
    let offset = readFrom; // file offset of text[0]
    let skipFirst = segment.start !== 0;
    let lines = 0;
    let segRows = 0;
    let segRejected = 0;
    let pending: Buffer = Buffer.alloc(0);
    let source: Buffer = pending; // the bytes `text` was decoded from (same offsets)
    const state = { done: false };
    let first = segment.start === 0;
    // Next quote (and, for non-comma files, comma) of the text, found once per chunk and
    // reused: a search per line would rescan the chunk.
    let scanText = '';
    let quoteAt = -1;
    let commaAt = -1;
    const rewriteCommas = layout.delimiter !== ',';

    const onLine = async (text: string, from: number, to: number): Promise<boolean> => {
      const lineStart = offset + from;
      if (skipFirst) {
        skipFirst = false;
        return false;
      }
      if (lineStart >= segment.end) return true;
      lines++;
      let end = to;
      if (end > from && text.charCodeAt(end - 1) === 13) end--;
      if (first) {
        first = false; // the header: read above
        return false;
      }
      if (end === from || (text.charCodeAt(from) <= 32 && text.slice(from, end).trim() === '')) {
        return false;
      }
      segRows++;
      if (scanText !== text) {
        scanText = text;
        quoteAt = text.indexOf('"', from);
        commaAt = rewriteCommas ? text.indexOf(',', from) : -1;
      }
      if (quoteAt >= 0 && quoteAt < from) quoteAt = text.indexOf('"', from);
      if (commaAt >= 0 && commaAt < from) commaAt = text.indexOf(',', from);
      const quoted = quoteAt >= 0 && quoteAt < end;
      const rewrite = quoted || (commaAt >= 0 && commaAt < end);
      const refused = addRow(text, from, end, layout, block, {
        line: lines,
        byteOffset: lineStart,
        quoted,
        rewrite,
      });
      if (refused !== undefined) {
        segRejected++;
        await write(sinks.rejected, rejectedLine(refused), 'utf8');
      } else if (block.full) {
        await writeBytes(sinks.output, formatBlock(block, source, model, suffix, layout));
      }
      return false;
    };

    const scan = async (bytes: Buffer, last: boolean): Promise<number> => {
      source = bytes;
      const text = bytes.toString('latin1');
      let start = 0;
      if (offset === 0 && first && text.startsWith(BOM_LATIN1)) start = BOM_LATIN1.length;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        if (await onLine(text, start, nl)) {
          state.done = true;
          break;
        }
        start = nl + 1;
      }
      if (!state.done && last && start < text.length) {
        state.done = await onLine(text, start, text.length);
        start = text.length;
      }
      // Rows point into this chunk: score them before it goes.
      await writeBytes(sinks.output, formatBlock(block, bytes, model, suffix, layout));
      return start;
    };

    const stream = storage.read(segment.location, { start: readFrom });
    for await (const chunk of stream) {
      const buffer = chunk as Buffer;
      settings.onBytes?.(buffer.length);
      const bytes = pending.length === 0 ? buffer : Buffer.concat([pending, buffer]);
      const used = await scan(bytes, false);
      if (state.done) break;
      offset += used;
      pending = bytes.subarray(used);
    }
    if (!state.done && pending.length > 0) await scan(pending, true);
    rows += segRows - segRejected;
    rejected += segRejected;
    results.push({ ...segment, lines, rows: segRows - segRejected, rejected: segRejected });
  }
  return { rows, rejected, segments: results };
}
