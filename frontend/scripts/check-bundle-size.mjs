#!/usr/bin/env node
// Prints the gzipped size of the built JavaScript and fails when it is over the budget, so a
// heavy dependency shows up in the build that adds it rather than in users' load times.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = Number(process.env.BUNDLE_BUDGET_BYTES ?? 150 * 1000);
const assets = new URL('../dist/assets/', import.meta.url);

const files = readdirSync(assets).filter((name) => name.endsWith('.js') || name.endsWith('.css'));
if (!files.some((name) => name.endsWith('.js'))) {
  console.error('bundle size: no JavaScript in dist/assets (did `vite build` run?)');
  process.exit(1);
}

const kB = (bytes) => `${(bytes / 1000).toFixed(1)} kB`;
let totalJs = 0;
for (const name of files.sort()) {
  const gzipped = gzipSync(readFileSync(join(assets.pathname, name)), { level: 9 }).length;
  if (name.endsWith('.js')) totalJs += gzipped;
  console.log(`  ${name.padEnd(40)} ${kB(gzipped).padStart(9)} gzip`);
}

const verdict = totalJs <= BUDGET_BYTES ? 'within' : 'OVER';
console.log(`bundle size: ${kB(totalJs)} of JavaScript gzipped, ${verdict} the ${kB(BUDGET_BYTES)} budget`);
if (totalJs > BUDGET_BYTES) process.exit(1);
