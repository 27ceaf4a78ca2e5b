import { createAdaptorServer, type ServerType } from '@hono/node-server';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listRuns } from '../../src/store/store.ts';
import { until } from '../helpers/waiting.ts';
import { webApp } from '../helpers/web.ts';

const { app, db } = webApp();
let server: ServerType;
let scratch: string;
/** The server listens on a socket file, not a port: nothing else on the machine can meet it. */
const socketDir = mkdtempSync(path.join(os.tmpdir(), 'import-aborted-socket-'));
const socketPath = path.join(socketDir, 'server.sock');

beforeAll(async () => {
  // Uploads go to scratch folders under TMPDIR: one of this test's own, to see that nothing is left in it.
  scratch = mkdtempSync(path.join(os.tmpdir(), 'import-aborted-'));
  vi.stubEnv('TMPDIR', scratch);
  server = createAdaptorServer({ fetch: app.fetch });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  vi.unstubAllEnvs();
  rmSync(scratch, { recursive: true, force: true });
  rmSync(socketDir, { recursive: true, force: true });
});

describe('an import whose client goes away mid-upload', () => {
  it('removes the part it had written and stores nothing', async () => {
    const boundary = 'cutoff';
    const socket = connect(socketPath);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /runs/import HTTP/1.1\r\nHost: localhost\r\nOrigin: http://localhost\r\n` +
        `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: 10000000\r\n\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\n\r\n`,
    );
    socket.write('0.1,'.repeat(50_000));
    // The part is on disk before the client leaves.
    await until('the part on disk', () => readdirSync(scratch).some((dir) => readdirSync(path.join(scratch, dir)).length > 0), 10_000);
    socket.destroy();
    await until('the scratch folder gone', () => readdirSync(scratch).length === 0, 10_000);
    expect(listRuns(db)).toEqual([]);
  });
});
