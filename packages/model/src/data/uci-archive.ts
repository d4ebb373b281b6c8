import type { WineType } from '../core/features';

/** What the official UCI download is and how to check it. */
export interface UciWineArchive {
  url: string;
  /**
   * sha256 of the zip itself, or null when no trustworthy published value is known: the
   * download then prints the digest it computed and relies on the per-file checks.
   */
  sha256: string | null;
  /** The CSVs inside the archive, each with its pinned digest, size and row count. */
  files: Record<WineType, { name: string; sha256: string; bytes: number; rows: number }>;
  /** Other members of the archive (documentation), extracted alongside when present. */
  extras: readonly string[];
}

/**
 * UCI Machine Learning Repository dataset 186, "Wine Quality" (Cortez et al., 2009, CC BY 4.0).
 *
 * Which checksums are pinned, honestly:
 * - The zip's own sha256 is NOT pinned: UCI publishes none, and no public source we could
 *   check gives one (this repo's build machine cannot reach UCI to compute it). Pin it here,
 *   or pass `--sha256`, once you have verified a download.
 * - The two CSVs ARE pinned, in their original semicolon-separated form: sha256 and byte
 *   size as recorded by TensorFlow Datasets for the same files at UCI's legacy URLs
 *   (tensorflow/datasets, tensorflow_datasets/structured/wine_quality/checksums.tsv).
 *   The download also parses both files and checks the row counts from the dataset's
 *   documentation (1,599 red, 4,898 white) with zero rejected rows.
 */
export const UCI_WINE_ARCHIVE: Readonly<UciWineArchive> = Object.freeze({
  url: 'https://archive.ics.uci.edu/static/public/186/wine+quality.zip',
  sha256: null,
  files: {
    red: {
      name: 'winequality-red.csv',
      sha256: '4a402cf041b025d4566d954c3b9ba8635a3a8a01e039005d97d6a710278cf05e',
      bytes: 84199,
      rows: 1599,
    },
    white: {
      name: 'winequality-white.csv',
      sha256: '76c3f809815c17c07212622f776311faeb31e87610d52c26d87d6e361b169836',
      bytes: 264426,
      rows: 4898,
    },
  },
  extras: ['winequality.names'],
});
