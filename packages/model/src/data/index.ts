export { DataError, describeRowError } from './data-error';
export type { DataErrorCode, RowError } from './data-error';
export { REQUIRED_COLUMNS, canonicalColumnName, detectDelimiter } from './columns';
export { parseWineCsv, inferWineType, mapHeader, readCsvRows } from './parse-wine-csv';
export type { CsvRow, LoadResult, ParseWineCsvOptions } from './parse-wine-csv';
export { formatRejections } from './format-rejections';
export type { RejectionSummaryInput } from './format-rejections';
export { datasetFingerprint } from './fingerprint';
export { loadWineCsv, loadWineColumns, loadWineDataDir, WINE_DATA_FILES } from './load';
export {
  PREDICTION_COLUMN_NAME,
  WineColumnsParser,
  parseDecimalAt,
  parseWineColumns,
  splitQuoted,
} from './wine-columns-csv';
export type { WineColumnsOptions, WineColumnsResult } from './wine-columns-csv';
export type { LoadWineCsvOptions } from './load';
export { UCI_WINE_ARCHIVE } from './uci-archive';
export type { UciWineArchive } from './uci-archive';
