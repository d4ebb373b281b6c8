/** The rejected-rows file: one CSV line per refused input row, nothing silently dropped. */
import { csvCell, quotedCells } from './csv-text';
import type { Rejection } from './row-parser';

export const REJECTED_HEADER = 'file,line,byte_offset,column,value,code,reason\n';

export function rejectedLine(r: Rejection): string {
  return (
    [r.file, String(r.line), String(r.byteOffset), r.column, r.value, r.code, r.reason]
      .map(csvCell)
      .join(',') + '\n'
  );
}

/** Parses one line written by rejectedLine (for merging partition files). */
export function parseRejectedLine(line: string): Rejection | undefined {
  const cells = quotedCells(line, ',');
  if (cells === undefined) return undefined;
  if (cells.length !== 7) return undefined;
  const [file, line_, offset, column, value, code, reason] = cells as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    file,
    line: Number(line_),
    byteOffset: Number(offset),
    column,
    value,
    code: code as Rejection['code'],
    reason,
  };
}
