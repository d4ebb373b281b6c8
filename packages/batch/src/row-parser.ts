/**
 * One data line → a row of the scoring block, or a rejection with line and reason. Values go
 * from the characters straight into the block (no per-cell strings) with the loader's rules
 * (FEATURE_RULES, "red"/"white"); only a line with quotes takes the slower path.
 */
import {
  FEATURE_NAMES,
  FEATURE_RULES,
  MODEL_COLUMNS,
  WINE_TYPE_CODE,
  parseDecimalAt,
} from '@wine/model';
import type { DataErrorCode, WineType } from '@wine/model';
import { quotedCells, toCommaLine } from './csv-text';
import { NO_SLOT, TYPE_SLOT, type RowLayout } from './row-layout';

export const COLS = MODEL_COLUMNS.length;

export interface Rejection {
  readonly file: string;
  /** Line number (1 = the file's header; in a partition: counted from the partition's first line). */
  readonly line: number;
  /** Byte offset of the line in its file. */
  readonly byteOffset: number;
  readonly column: string;
  readonly value: string;
  readonly code: DataErrorCode;
  readonly reason: string;
}

/**
 * Rows waiting to be scored: model inputs (row-major), and where each row's line sits in the
 * chunk, so the output copies the input bytes instead of building a string per row.
 */
export class ScoreBlock {
  readonly x: Float64Array;
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly colour: Uint8Array;
  /** Output text of rows that could not be copied byte for byte (quoted fields), by row. */
  readonly rewritten = new Map<number, string>();
  rows = 0;

  constructor(readonly capacity: number) {
    this.x = new Float64Array(capacity * COLS);
    this.from = new Int32Array(capacity);
    this.to = new Int32Array(capacity);
    this.colour = new Uint8Array(capacity);
  }

  get full(): boolean {
    return this.rows === this.capacity;
  }

  clear(): void {
    this.rows = 0;
    this.rewritten.clear();
  }
}

const RULES = FEATURE_NAMES.map((name) => FEATURE_RULES[name]);

function colourAt(text: string, from: number, to: number): WineType | undefined {
  const n = to - from;
  if (n === 3 && text.startsWith('red', from)) return 'red';
  if (n === 5 && text.startsWith('white', from)) return 'white';
  const raw = text.slice(from, to).trim().toLowerCase();
  return raw === 'red' || raw === 'white' ? raw : undefined;
}

type Problem = [column: string, value: string, code: DataErrorCode, reason: string];

/** Fields text[from, to) split by `delimiter` into block row `row`; a problem or undefined. */
function readFields(
  text: string,
  from: number,
  to: number,
  delimiter: string,
  layout: RowLayout,
  x: Float64Array,
  base: number,
): Problem | WineType {
  const sep = delimiter.charCodeAt(0);
  const { slots, width } = layout;
  let type = layout.fileType;
  let field = 0;
  let start = from;
  for (let i = from; i <= to; i++) {
    if (i < to && text.charCodeAt(i) !== sep) continue;
    if (field < width) {
      const slot = slots[field] as number;
      if (slot === TYPE_SLOT) {
        type = colourAt(text, start, i);
        if (type === undefined) {
          return [
            'wine_type',
            text.slice(start, i).trim(),
            'DATA_UNKNOWN_WINE_TYPE',
            'wine_type must be "red" or "white"',
          ];
        }
      } else if (slot !== NO_SLOT) {
        const value = parseDecimalAt(text, start, i);
        const name = FEATURE_NAMES[slot] as string;
        if (!Number.isFinite(value)) {
          const raw = text.slice(start, i).trim();
          return raw === ''
            ? [name, raw, 'DATA_MISSING_VALUE', 'value is missing']
            : [name, raw, 'DATA_NOT_A_NUMBER', 'not a finite decimal number'];
        }
        const rule = RULES[slot];
        if (rule !== undefined && (value < rule.min || value > rule.max)) {
          return [name, text.slice(start, i).trim(), 'DATA_OUT_OF_RANGE', rule.description];
        }
        x[base + slot] = value;
      }
    }
    field++;
    start = i + 1;
  }
  if (field !== width) {
    return [
      '',
      text.slice(from, to),
      'DATA_FIELD_COUNT',
      `row has ${field} fields, header has ${width}`,
    ];
  }
  return type as WineType;
}

/**
 * Adds text[from, to) (one line, no newline) to the block, or returns why it is refused.
 * The caller skips blank lines.
 */
export function addRow(
  text: string,
  from: number,
  to: number,
  layout: RowLayout,
  block: ScoreBlock,
  where: {
    readonly line: number;
    readonly byteOffset: number;
    /** The line has a quote: split it the RFC 4180 way. */
    readonly quoted: boolean;
    /** The output cannot copy the line's bytes (quotes, or commas in a non-comma file). */
    readonly rewrite: boolean;
  },
): Rejection | undefined {
  const base = block.rows * COLS;
  let result: Problem | WineType;
  if (where.quoted) {
    const cells = quotedCells(text.slice(from, to), layout.delimiter);
    result =
      cells === undefined
        ? ['', text.slice(from, to), 'DATA_MALFORMED_CSV', 'malformed CSV — unterminated quote']
        : readFields(
            cells.join('\u0000'),
            0,
            cells.join('\u0000').length,
            '\u0000',
            layout,
            block.x,
            base,
          );
  } else {
    result = readFields(text, from, to, layout.delimiter, layout, block.x, base);
  }
  if (typeof result !== 'string') {
    const [column, value, code, reason] = result;
    return {
      file: layout.file,
      line: where.line,
      byteOffset: where.byteOffset,
      column,
      // The text is latin1 (bytes); the rejected file is UTF-8 text.
      value: Buffer.from(value.length > 200 ? value.slice(0, 200) : value, 'latin1').toString(
        'utf8',
      ),
      code,
      reason,
    };
  }
  const row = block.rows++;
  block.x[base + TYPE_SLOT] = WINE_TYPE_CODE[result];
  block.colour[row] = WINE_TYPE_CODE[result];
  block.from[row] = from;
  block.to[row] = to;
  if (where.rewrite) block.rewritten.set(row, toCommaLine(text.slice(from, to), layout.delimiter));
  return undefined;
}
