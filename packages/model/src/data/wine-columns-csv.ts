/**
 * Large wine CSVs straight into columns (WineColumns): the drift CLI and batch tools read
 * millions of rows, where csv-parse plus one object per row costs seconds and gigabytes.
 * Same formats and validation as parseWineCsv (UCI ";" files with quoted headers, snake_case
 * files with wine_type, any column order, FEATURE_RULES), but `quality` is optional (live data
 * has none yet) and an optional `prediction` column is kept. Lines are split natively; only a
 * line containing a quote takes the slower quote-aware path.
 */
import { FEATURE_NAMES, TARGET_NAME, WINE_TYPES } from '../core/features';
import type { FeatureName, WineType } from '../core/features';
import { FEATURE_RULES, QUALITY_RULE } from '../core/value-rules';
import type { ValueRule } from '../core/value-rules';
import type { WineColumns } from '../core/wine-columns';
import { WINE_TYPE_COLUMN_NAME, canonicalColumnName, detectDelimiter } from './columns';
import { DataError, describeRowError } from './data-error';
import type { DataErrorCode, RowError } from './data-error';
import { inferWineType, mapHeader } from './parse-wine-csv';

export const PREDICTION_COLUMN_NAME = 'prediction';
/** Row problems kept for the report; the rest are only counted. */
const MAX_KEPT_ERRORS = 100;

export interface WineColumnsOptions {
  /** Name used in every message (a path or a label). */
  readonly file: string;
  /** Colour of every row when the file has no wine_type column; else inferred from `file`. */
  readonly wineType?: WineType;
  /** 'fail' (default): throw on the first bad row; 'reject': skip it and count it. */
  readonly onInvalidRow?: 'reject' | 'fail';
  /** Refuse a file without a quality column (training data). */
  readonly requireQuality?: boolean;
}

export interface WineColumnsResult {
  readonly columns: WineColumns;
  /** Data lines read (header and blank lines excluded). */
  readonly rowsRead: number;
  readonly rowsRejected: number;
  /** The first problems found (at most 100). */
  readonly rejected: readonly RowError[];
  readonly file: string;
}

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const MANTISSA_LIMIT = 2 ** 53;

/**
 * Parses text[from, to) as a decimal number (parseWineCsv's DECIMAL grammar, spaces around it allowed)
 * without creating a string: Clinger's fast path — an integer mantissa below 2^53 times or
 * over an exact power of ten ≤ 10^22 is one correctly rounded operation, so the result is
 * bit-identical to Number(). Other shapes fall back to Number(). NaN for invalid text.
 */
export function parseDecimalAt(text: string, from: number, to: number): number {
  let i = from;
  let end = to;
  while (i < end && text.charCodeAt(i) <= 32) i++;
  while (end > i && text.charCodeAt(end - 1) <= 32) end--;
  if (i === end) return Number.NaN;
  const start = i;
  let negative = false;
  let c = text.charCodeAt(i);
  if (c === 43 || c === 45) {
    negative = c === 45;
    c = text.charCodeAt(++i);
  }
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let exact = true;
  while (c >= 48 && c <= 57) {
    mantissa = mantissa * 10 + (c - 48);
    digits++;
    c = text.charCodeAt(++i);
  }
  if (c === 46) {
    c = text.charCodeAt(++i);
    while (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      scale--;
      c = text.charCodeAt(++i);
    }
  }
  if (digits === 0) return Number.NaN;
  if (mantissa >= MANTISSA_LIMIT) exact = false;
  if (c === 101 || c === 69) {
    c = text.charCodeAt(++i);
    let expNegative = false;
    if (c === 43 || c === 45) {
      expNegative = c === 45;
      c = text.charCodeAt(++i);
    }
    let exp = 0;
    let expDigits = 0;
    while (c >= 48 && c <= 57) {
      exp = exp * 10 + (c - 48);
      expDigits++;
      c = text.charCodeAt(++i);
    }
    if (expDigits === 0) return Number.NaN;
    scale += expNegative ? -exp : exp;
  }
  if (i !== end) return Number.NaN;
  if (!exact || scale < -22 || scale > 22) return Number(text.slice(start, end));
  const magnitude =
    scale < 0 ? mantissa / (POW10[-scale] as number) : mantissa * (POW10[scale] as number);
  return negative ? -magnitude : magnitude;
}

/** Splits one line that contains quotes (RFC 4180: "" inside quotes is a quote); throws on an unterminated quote. */
export function splitQuoted(line: string, delimiter: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  if (quoted) throw new Error('unterminated quote');
  cells.push(cell);
  return cells;
}

class Growable {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  /** Drops the last value (a row rejected after some of its cells were stored). */
  pop(): void {
    this.length--;
  }
  take(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

const TYPE_SLOT = 'wine_type' as const;

/** The colour in text[from, to): "red"/"white" compared in place, anything else the slow way. */
function colourAt(text: string, from: number, to: number): WineType | undefined {
  const n = to - from;
  if (n === 3 && text.startsWith('red', from)) return 'red';
  if (n === 5 && text.startsWith('white', from)) return 'white';
  const raw = text.slice(from, to).trim().toLowerCase();
  return WINE_TYPES.find((w) => w === raw);
}

/** Why a parsed cell is refused, or undefined when it is fine. */
function checkValue(
  value: number,
  text: string,
  from: number,
  to: number,
  t: NumericTarget,
): [DataErrorCode, string] | undefined {
  if (Number.isNaN(value)) {
    return text.slice(from, to).trim() === ''
      ? ['DATA_MISSING_VALUE', 'value is missing']
      : ['DATA_NOT_A_NUMBER', 'not a finite decimal number'];
  }
  if (!Number.isFinite(value)) return ['DATA_NOT_A_NUMBER', 'not a finite decimal number'];
  if (t.integer && !Number.isInteger(value))
    return ['DATA_NOT_INTEGER', t.rule?.description ?? 'not an integer'];
  if (t.rule !== undefined && (value < t.rule.min || value > t.rule.max)) {
    return ['DATA_OUT_OF_RANGE', t.rule.description];
  }
  return undefined;
}

interface NumericTarget {
  readonly index: number;
  readonly name: string;
  readonly rule: ValueRule | undefined;
  readonly integer: boolean;
  readonly out: Growable;
}

/**
 * Incremental parser: feed text chunks with `push`, then `end()`. Pure; loadWineColumns
 * streams a file through it.
 */
export class WineColumnsParser {
  private readonly opts: WineColumnsOptions;
  private rest = '';
  private line = 0;
  private header: { width: number; delimiter: string } | undefined;
  private targets: NumericTarget[] = [];
  /** Per field of a row: the column it feeds, the colour, or nothing (an extra column). */
  private slots: (NumericTarget | typeof TYPE_SLOT | undefined)[] = [];
  /** Chunks seen (the text onLine scans changes with each). */
  private chunk = 0;
  private quoteChunk = -1;
  private quoteAt = -1;
  private typeIndex: number | undefined;
  private fileType: WineType | undefined;
  private readonly wineType: WineType[] = [];
  private rowsRead = 0;
  private rowsRejected = 0;
  private readonly rejected: RowError[] = [];
  private hasQuality = false;
  private hasPrediction = false;

  constructor(opts: WineColumnsOptions) {
    this.opts = opts;
  }

  push(chunk: string): void {
    this.chunk++;
    let text = this.rest + chunk;
    let start = 0;
    if (this.line === 0 && text.charCodeAt(0) === 0xfeff) start = 1;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.onLine(text, start, nl);
      start = nl + 1;
    }
    this.rest = text.slice(start);
    text = '';
  }

  end(): WineColumnsResult {
    this.chunk++;
    if (this.rest !== '') this.onLine(this.rest, 0, this.rest.length);
    this.rest = '';
    const { file } = this.opts;
    if (this.header === undefined) {
      throw new DataError(
        'DATA_MISSING_COLUMN',
        `${file}: the file is empty; expected a header line`,
      );
    }
    const rows = this.wineType.length;
    if (rows === 0) {
      throw new DataError(
        'DATA_NO_VALID_ROWS',
        this.rowsRead === 0
          ? `${file}: the file has a header but no data rows`
          : `${file}: none of the ${this.rowsRead} rows is valid; first: ${this.rejected[0] ? describeRowError(this.rejected[0]) : '?'}`,
        { rowErrors: this.rejected },
      );
    }
    const byName = new Map(this.targets.map((t) => [t.name, t.out.take()]));
    const features = {} as Record<FeatureName, Float64Array>;
    for (const name of FEATURE_NAMES) features[name] = byName.get(name) as Float64Array;
    const quality = byName.get(TARGET_NAME);
    const prediction = byName.get(PREDICTION_COLUMN_NAME);
    return {
      columns: {
        rows,
        features,
        wineType: this.wineType,
        ...(quality === undefined ? {} : { quality }),
        ...(prediction === undefined ? {} : { prediction }),
      },
      rowsRead: this.rowsRead,
      rowsRejected: this.rowsRejected,
      rejected: this.rejected,
      file,
    };
  }

  private onLine(text: string, from: number, to: number): void {
    this.line++;
    let end = to;
    if (end > from && text.charCodeAt(end - 1) === 13) end--; // \r
    if (end === from || (text.charCodeAt(from) <= 32 && text.slice(from, end).trim() === '')) {
      return;
    }
    if (this.header === undefined) {
      this.readHeader(text.slice(from, end));
      return;
    }
    this.rowsRead++;
    // The next quote of this chunk, found once and reused: searching per line would rescan the chunk.
    if (this.quoteChunk !== this.chunk || (this.quoteAt >= 0 && this.quoteAt < from)) {
      this.quoteChunk = this.chunk;
      this.quoteAt = text.indexOf('"', from);
    }
    if (this.quoteAt >= 0 && this.quoteAt < end) {
      const cells = this.cells(text.slice(from, end), this.delimiter);
      this.readCells(cells.join('\u0000'), 0, -1, '\u0000');
    } else {
      this.readCells(text, from, end, this.delimiter);
    }
  }

  private cells(line: string, delimiter: string): string[] {
    if (!line.includes('"')) return line.split(delimiter);
    try {
      return splitQuoted(line, delimiter);
    } catch {
      throw new DataError(
        'DATA_MALFORMED_CSV',
        `${this.opts.file}:${this.line}: malformed CSV — unterminated quote`,
      );
    }
  }

  private readHeader(line: string): void {
    const { file } = this.opts;
    const delimiter = detectDelimiter(line);
    const header = this.cells(line, delimiter);
    const names = header.map(canonicalColumnName);
    const index = mapHeader(
      header,
      file,
      this.opts.requireQuality ? [...FEATURE_NAMES, TARGET_NAME] : FEATURE_NAMES,
    );
    this.typeIndex = index.get(WINE_TYPE_COLUMN_NAME);
    this.fileType = this.opts.wineType ?? inferWineType(file);
    if (this.typeIndex === undefined && this.fileType === undefined) {
      throw new DataError(
        'DATA_NO_WINE_TYPE',
        `${file}: no wine_type column and the file name names neither "red" nor "white"; ` +
          'add a wine_type column or pass the colour explicitly',
      );
    }
    const target = (name: string, rule: ValueRule | undefined, integer: boolean): void => {
      const i = index.get(name);
      if (i !== undefined)
        this.targets.push({ index: i, name, rule, integer, out: new Growable() });
    };
    for (const name of FEATURE_NAMES) target(name, FEATURE_RULES[name], false);
    target(TARGET_NAME, QUALITY_RULE, true);
    target(PREDICTION_COLUMN_NAME, undefined, false);
    this.hasQuality = index.has(TARGET_NAME);
    this.hasPrediction = index.has(PREDICTION_COLUMN_NAME);
    this.header = { width: names.length, delimiter };
    this.slots = names.map((_, i) =>
      i === this.typeIndex ? TYPE_SLOT : this.targets.find((t) => t.index === i),
    );
  }

  private get width(): number {
    return this.header?.width ?? 0;
  }

  private get delimiter(): string {
    return this.header?.delimiter ?? ',';
  }

  /**
   * One data row, text[from, to) with fields split by `delimiter` (to = −1: the whole text).
   * Values go straight from the characters into the columns, no per-cell strings.
   */
  private readCells(text: string, from: number, to: number, delimiter: string): void {
    const stop = to < 0 ? text.length : to;
    const sep = delimiter.charCodeAt(0);
    const width = this.width;
    const slots = this.slots;
    let field = 0;
    let start = from;
    let stored = 0;
    let type = this.fileType;
    for (let i = from; i <= stop; i++) {
      if (i < stop && text.charCodeAt(i) !== sep) continue;
      if (field < width) {
        const slot = slots[field];
        if (slot === TYPE_SLOT) {
          type = colourAt(text, start, i);
          if (type === undefined) {
            this.reject(
              WINE_TYPE_COLUMN_NAME,
              text.slice(start, i).trim(),
              'DATA_UNKNOWN_WINE_TYPE',
              'wine_type must be "red" or "white"',
              stored,
            );
            return;
          }
        } else if (slot !== undefined) {
          const value = parseDecimalAt(text, start, i);
          const problem = checkValue(value, text, start, i, slot);
          if (problem !== undefined) {
            this.reject(slot.name, text.slice(start, i).trim(), problem[0], problem[1], stored);
            return;
          }
          slot.out.push(value);
          stored++;
        }
      }
      field++;
      start = i + 1;
    }
    if (field !== width) {
      this.reject(
        '',
        text.slice(from, stop),
        'DATA_FIELD_COUNT',
        `row has ${field} fields, header has ${width}`,
        stored,
      );
      return;
    }
    this.wineType.push(type as WineType);
  }

  private reject(
    column: string,
    value: string,
    code: DataErrorCode,
    reason: string,
    stored: number,
  ): void {
    for (let i = 0; i < stored; i++) (this.targets[i] as NumericTarget).out.pop();
    const error: RowError = { file: this.opts.file, line: this.line, column, value, reason, code };
    if (this.opts.onInvalidRow !== 'reject') {
      throw new DataError(code, `invalid row at ${describeRowError(error)}`, {
        rowErrors: [error],
      });
    }
    this.rowsRejected++;
    if (this.rejected.length < MAX_KEPT_ERRORS) this.rejected.push(error);
  }

  /** Which optional columns the header had (known after the first line). */
  get optionalColumns(): { quality: boolean; prediction: boolean } {
    return { quality: this.hasQuality, prediction: this.hasPrediction };
  }
}

/** Parses a whole CSV text into columns. */
export function parseWineColumns(text: string, opts: WineColumnsOptions): WineColumnsResult {
  const parser = new WineColumnsParser(opts);
  parser.push(text);
  return parser.end();
}
