import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The house's one-way imports (README, "Layout"): each folder may import itself and the folders
// listed for it, nothing above. A test rather than a convention, because a wrong import compiles.
const MAY_IMPORT: Record<string, string[]> = {
  'db': [],
  'src/core': [],
  'src/store': ['src/core', 'db'],
  'src/data': ['src/store', 'src/core', 'db'],
  'src/models': ['src/data', 'src/store', 'src/core', 'db'],
  'src/training': ['src/models', 'src/data', 'src/store', 'src/core', 'db'],
  'src/execution': ['src/training', 'src/models', 'src/data', 'src/store', 'src/core', 'db'],
  'src/analysis': ['src/execution', 'src/training', 'src/models', 'src/data', 'src/store', 'src/core', 'db'],
  'src/cli': ['src/analysis', 'src/execution', 'src/training', 'src/models', 'src/data', 'src/store', 'src/core', 'db'],
  'src/web': ['src/analysis', 'src/execution', 'src/training', 'src/models', 'src/data', 'src/store', 'src/core', 'db'],
};
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SPECIFIER = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function layerOf(file: string): string | undefined {
  return Object.keys(MAY_IMPORT).find((layer) => file === layer || file.startsWith(`${layer}/`));
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx|mjs)$/.test(entry.name) ? [rel] : [];
  });
}

/** Every import of a file in src/ or db/ that reaches a folder its layer may not import. */
function upwardImports(): string[] {
  return [...sourceFiles('src'), ...sourceFiles('db')].flatMap((file) => {
    const from = layerOf(file);
    if (!from) return []; // src/main.ts, the composition root, sees every layer
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    return [...text.matchAll(SPECIFIER)].flatMap(([, spec]) => {
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec!));
      const to = layerOf(target);
      return to === undefined || to === from || MAY_IMPORT[from]!.includes(to) ? [] : [`${file} -> ${target}`];
    });
  });
}

describe('the layers', () => {
  it('import one way only', () => {
    expect(upwardImports()).toEqual([]);
  });

  it('are the folders that hold the code (a new folder needs a place in the order)', () => {
    const folders = fs.readdirSync(path.join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory());
    expect(folders.map((e) => `src/${e.name}`).sort()).toEqual(Object.keys(MAY_IMPORT).filter((l) => l.startsWith('src/')).sort());
  });
});
