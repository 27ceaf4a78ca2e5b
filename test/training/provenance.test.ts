import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { gitCommit } from '../../src/training/provenance.ts';

describe("a run's git commit", () => {
  it("is this checkout's HEAD, marked +dirty exactly when tracked files differ from it", async () => {
    const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8' }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    expect(await gitCommit()).toBe(`${git('rev-parse', 'HEAD')}${dirty ? '+dirty' : ''}`);
  });
});
