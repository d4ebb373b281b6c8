#!/usr/bin/env node
/** `pnpm run diagrams`: renders every images/*.dot (Graphviz) into the pictures beside it. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli } from '@wine/training-scripts';
import { render, renderings } from '../diagrams';

async function main(): Promise<void> {
  const images = path.resolve(__dirname, '..', '..', '..', 'images');
  for (const rendering of renderings(images)) {
    writeFileSync(rendering.output, render(rendering));
    console.log(`wrote ${path.relative(process.cwd(), rendering.output)}`);
  }
  await Promise.resolve();
}

runCli(main, { secrets: [] });
