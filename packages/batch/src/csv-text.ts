/**
 * CSV text helpers. Input is handled as latin1 text: one character per byte, so string
 * offsets are byte offsets (partitions are byte ranges) and writing a slice back as latin1
 * reproduces the input bytes exactly, whatever encoding the file uses.
 */
import { splitQuoted } from '@wine/model';

/** RFC 4180 quoting for one output cell. */
export function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Cells of a line with quotes; undefined when a quote is unterminated. */
export function quotedCells(line: string, delimiter: string): string[] | undefined {
  try {
    return splitQuoted(line, delimiter);
  } catch {
    return undefined;
  }
}

/** A line of `delimiter`-separated input as a comma-separated output line. */
export function toCommaLine(line: string, delimiter: string): string {
  if (delimiter === ',') return line;
  if (!line.includes('"') && !line.includes(',')) return line.replaceAll(delimiter, ',');
  const cells = quotedCells(line, delimiter) ?? [line];
  return cells.map(csvCell).join(',');
}

/** The UTF-8 byte order mark as latin1 text. */
export const BOM_LATIN1 = '\u00ef\u00bb\u00bf';
