#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader so that a fresh clone needs no build step.
import '../src/core/typescript-loader.mjs';

const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
