import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// Every write to a run goes through the RunStore interface (src/store/run-store.ts), so that a
// second backend can stand behind it without its callers changing. The functions that write are
// found from their code, not listed by hand: a new one is caught as soon as it is imported.
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const RUN_TABLES = ['runs', 'runAttempts', 'runTags', 'epochMetrics', 'epochScalars'];
const WRITES_A_TABLE = new RegExp(`\\.(insert|update|delete)\\(\\s*(${RUN_TABLES.join('|')})\\s*\\)|(INSERT INTO|UPDATE|DELETE FROM) (runs|run_attempts|run_tags|epoch_metrics)\\b`);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx)$/.test(entry.name) ? [rel] : [];
  });
}

/** The exported functions of src/store that write a run's tables, themselves or through another. */
function storeWriters(): Set<string> {
  const bodies = new Map<string, string>();
  // Opening a store (open-store.ts) chooses the backend and reaps runs whose process died: it is
  // where callers get a RunStore, not a way around one.
  for (const file of sourceFiles('src/store').filter((file) => file !== 'src/store/open-store.ts')) {
    const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
    const starts = [...text.matchAll(/^export (?:async )?function (\w+)/gm)];
    starts.forEach((match, i) => bodies.set(match[1]!, text.slice(match.index, starts[i + 1]?.index ?? text.length)));
  }
  const writers = new Set([...bodies].filter(([, body]) => WRITES_A_TABLE.test(body)).map(([name]) => name));
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, body] of bodies) {
      if (!writers.has(name) && [...writers].some((writer) => new RegExp(`\\b${writer}\\(`).test(body))) {
        writers.add(name);
        grew = true;
      }
    }
  }
  return writers;
}

describe('the one writer of runs', () => {
  it('is reached from outside the store only through the RunStore interface', () => {
    const writers = storeWriters();
    // The finder must find the ones we know of, or it proves nothing.
    expect([...writers]).toEqual(expect.arrayContaining(['createRun', 'endRun', 'loseAttempt', 'deleteRuns', 'createTrackedRun', 'recordImportedRun', 'storeRecorder']));
    const offending = sourceFiles('src')
      .filter((file) => !file.startsWith('src/store/'))
      .flatMap((file) => {
        const text = fs.readFileSync(path.join(ROOT, file), 'utf8');
        return [...text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"][^'"]*\/store\/[^'"]+['"]/g)].flatMap(([, names]) =>
          names!.split(',').map((name) => name.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0]!).filter((name) => writers.has(name)).map((name) => `${file} imports ${name}`),
        );
      });
    expect(offending).toEqual([]);
  });

  it('has its SQLite backend chosen in one place, where a store is opened', () => {
    const choosers = [...sourceFiles('src'), ...sourceFiles('bench')].filter(
      (file) => file !== 'src/store/sqlite-run-store.ts' && /from\s*['"][^'"]*sqlite-run-store(\.ts)?['"]/.test(fs.readFileSync(path.join(ROOT, file), 'utf8')),
    );
    expect(choosers).toEqual(['src/store/open-store.ts']);
  });
});
