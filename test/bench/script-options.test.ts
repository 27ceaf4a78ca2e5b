import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { benchOptions, type BenchScript } from '../../bench/lib/script-options.ts';

const run = promisify(execFile);
// Every .ts file directly in bench/ is a script; the modules they share live in bench/lib/.
const SCRIPTS = readdirSync('bench').filter((f) => f.endsWith('.ts'));

const PROFILE: BenchScript = {
  file: 'bench/step-profile.ts',
  summary: 'per-kernel step profile',
  options: { steps: { type: 'integer', min: 1, max: 100, description: 'timed steps (default 100)' } },
};

/** What benchOptions printed and the exit code it asked for, without leaving the test process. */
function parse(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((s: string) => void out.push(s));
  vi.spyOn(console, 'error').mockImplementation((s: string) => void err.push(s));
  vi.spyOn(process, 'exit').mockImplementation(((code: number) => {
    throw new Error(`exit ${code}`);
  }) as never);
  try {
    return { options: benchOptions(PROFILE, argv), code: undefined, out: out.join('\n'), err: err.join('\n') };
  } catch (e) {
    return { options: undefined, code: Number((e as Error).message.replace('exit ', '')), out: out.join('\n'), err: err.join('\n') };
  }
}

describe('bench scripts', () => {
  afterEach(() => vi.restoreAllMocks());

  it('every script parses its flags with benchOptions, so each answers --help', () => {
    expect(SCRIPTS.length).toBeGreaterThanOrEqual(5);
    const without = SCRIPTS.filter((s) => !readFileSync(path.join('bench', s), 'utf8').includes('benchOptions('));
    expect(without).toEqual([]);
  });

  it('--help prints the options and exits 0 instead of measuring', () => {
    const help = parse(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('usage: npx tsx bench/step-profile.ts [options]');
    expect(help.out).toContain('--steps');
  });

  it('exits 2 naming what is allowed for an unknown flag or a bad value', () => {
    const unknown = parse(['--stepz', '3']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('allowed: --steps --help');
    const bad = parse(['--steps', '0']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--steps');
    expect(parse(['--steps', '7']).options?.steps).toBe(7);
  });

  it('a real script answers --help from the command line', async () => {
    const { stdout } = await run(path.resolve('node_modules/.bin/tsx'), ['bench/training-vs-pytorch.ts', '--help'], { timeout: 120_000 });
    expect(stdout).toContain('usage: npx tsx bench/training-vs-pytorch.ts [options]');
    expect(stdout).toContain('--rounds');
  }, 130_000);

  it('a script that takes a network exits 2 with what --model allows for a bad one, not a stack trace', async () => {
    const taking = SCRIPTS.filter((s) => /\bmodels?: \{ type: 'string'/.test(readFileSync(path.join('bench', s), 'utf8')));
    expect(taking.length).toBeGreaterThanOrEqual(3);
    for (const script of taking) {
      const flag = readFileSync(path.join('bench', script), 'utf8').includes('models: {') ? '--models' : '--model';
      const failed = await run(path.resolve('node_modules/.bin/tsx'), [path.join('bench', script), flag, 'no-such-net'], { timeout: 120_000 }).then(
        () => null,
        (err: { code: number; stderr: string }) => err,
      );
      expect(failed?.code, script).toBe(2);
      expect(failed?.stderr).toContain("--model takes a preset (reference, ");
      expect(failed?.stderr).not.toMatch(/\n\s+at /);
    }
  }, 130_000);
});
