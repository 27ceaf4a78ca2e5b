import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const TSX = path.resolve('node_modules/.bin/tsx');
// Every .ts file directly in bench/ is a script; the modules they share live in bench/lib/.
const SCRIPTS = readdirSync('bench').filter((f) => f.endsWith('.ts'));

/** Exit code, stdout and stderr of a bench script, killed if it starts measuring instead. */
async function bench(script: string, args: string[]) {
  try {
    const { stdout, stderr } = await run(TSX, [path.join('bench', script), ...args], { timeout: 100_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('bench scripts', () => {
  it('answer --help with their options instead of measuring', async () => {
    expect(SCRIPTS.length).toBeGreaterThanOrEqual(5);
    const results = await Promise.all(SCRIPTS.map((script) => bench(script, ['--help'])));
    results.forEach((result, i) => {
      expect(result.code, SCRIPTS[i]).toBe(0);
      expect(result.stdout).toContain(`usage: npx tsx bench/${SCRIPTS[i]} [options]`);
      expect(result.stdout).toContain('--help');
    });
  });

  it('exit 2 naming what is allowed for an unknown flag or a bad value', async () => {
    const unknown = await bench('step-profile.ts', ['--stepz', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('allowed: --steps --batch-size --model --help');
    const bad = await bench('training-vs-pytorch.ts', ['--rounds', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--rounds must be a whole number from 1 to 100');
  });
});
