/**
 * The pictures in images/: each Graphviz source (*.dot) renders to an SVG beside it, and the
 * architecture diagram also to a PNG (for viewers without SVG). `pnpm run diagrams` writes
 * them; stack/test/diagrams.test.ts fails when a committed picture is stale.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

export interface Rendering {
  readonly source: string;
  readonly output: string;
  readonly args: readonly string[];
}

/** PNGs at this resolution stay readable when a README scales them down. */
const PNG_DPI = '110';
const WITH_PNG = new Set(['architecture.dot']);

export function renderings(imagesDir: string): Rendering[] {
  return readdirSync(imagesDir)
    .filter((f) => f.endsWith('.dot'))
    .sort()
    .flatMap((file) => {
      const source = path.join(imagesDir, file);
      const base = source.replace(/\.dot$/, '');
      const svg = { source, output: `${base}.svg`, args: ['-Tsvg'] };
      return WITH_PNG.has(file)
        ? [svg, { source, output: `${base}.png`, args: ['-Tpng', `-Gdpi=${PNG_DPI}`] }]
        : [svg];
    });
}

/** Renders one picture with Graphviz `dot` (the Debian package graphviz). */
export function render(rendering: Rendering, dot = process.env['DOT_BIN'] ?? 'dot'): Buffer {
  return execFileSync(dot, [...rendering.args, rendering.source], { maxBuffer: 64 * 1024 * 1024 });
}
