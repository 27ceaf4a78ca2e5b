import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { createToken } from '../../src/store/worker-tokens.ts';
import { spawnServe, stopProcess } from '../helpers/serve-process.ts';

let server: ChildProcess | undefined;
afterAll(() => stopProcess(server));

/** Sends the head of a request announcing a body, a few bytes of it, then drops the connection. */
function disconnectMidBody(url: string, head: string): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(`${head}Content-Length: 100000\r\nConnection: close\r\n\r\n0123456789`);
      setTimeout(() => socket.destroy(), 300);
    });
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

describe('a client that disconnects in the middle of its request', () => {
  it('costs the server one log line, not a stack trace', async () => {
    const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-disconnect-')), 'runs.sqlite');
    const store = openDb(db);
    const { token } = createToken(store, 'uploader');
    store.$client.close();
    const served = await spawnServe(db, ['--max-concurrent', '0']);
    server = served.server;
    const upload = `PUT /api/workers/runs/1/uploads/weights/0?attempt=1 HTTP/1.1\r\nHost: ${new URL(served.url).host}\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/octet-stream\r\nX-Content-SHA256: ${'0'.repeat(64)}\r\n`;
    await disconnectMidBody(served.url, upload);
    // The log line comes when the server notices the closed connection.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const log = served.log();
    expect(log).not.toMatch(/^\s+at /m);
    expect(log).toContain('a client disconnected before sending all of its PUT /api/workers/runs/1/uploads/weights/0 request');
  }, 60_000);
});
