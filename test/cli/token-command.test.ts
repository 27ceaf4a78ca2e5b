import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.ts';

describe('digitlab token', () => {
  it('exits 2 revoking a token that does not exist, naming it', async () => {
    const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-token-cli-')), 'runs.sqlite');
    const revoked = await runCliCaptured(['token', 'revoke', '--name', 'nosuch', '--db', db]);
    expect(revoked.code).toBe(2);
    expect(revoked.stderr).toContain("no token named 'nosuch'");
  });
});
