import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/cli.ts';
import { spawnServe, stopProcess } from '../helpers/serve-process.ts';

const BIN = path.resolve('bin/digitlab.js');
const tmpDb = () => path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-serve-')), 'runs.sqlite');

describe('serve started outside the checkout', () => {
  // tsx used to take the JSX settings from the current folder's tsconfig: every page was a 500.
  it('serve started from another folder answers /runs with 200', async () => {
    const elsewhere = mkdtempSync(path.join(os.tmpdir(), 'digitlab-elsewhere-'));
    const { server, url } = await spawnServe(path.join(elsewhere, 'runs.sqlite'), [], '.', elsewhere);
    try {
      const response = await fetch(`${url}/runs`);
      expect(response.status).toBe(200);
      expect(response.headers.get('Content-Type')).toMatch(/text\/html/);
      expect(await response.text()).toMatch(/<html/i);
    } finally {
      await stopProcess(server);
    }
  }, 60_000);
});

describe('serve --allow-remote on loopback', () => {
  // The README promises that with --allow-remote every request needs the token; on 127.0.0.1 none was asked for.
  it('needs the printed token on every request, as on any other address', async () => {
    const { server, url, log } = await spawnServe(tmpDb(), ['--allow-remote']);
    try {
      const token = /token=([\w-]+)/.exec(log())?.[1];
      expect(token, log()).toBeDefined();
      expect((await fetch(`${url}/api/runs`)).status).toBe(401);
      expect((await fetch(`${url}/runs`)).status).toBe(401);
      expect((await fetch(`${url}/api/runs`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await stopProcess(server);
    }
  }, 60_000);
});

describe('serve on an address other machines reach', () => {
  it('is refused without --allow-remote, saying why', async () => {
    const { code, stderr } = await runCliCaptured(['serve', '--host', '0.0.0.0', '--port', '3153', '--db', tmpDb()]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--allow-remote/);
  });

  it('with --allow-remote warns, prints a token once and answers nothing without it', async () => {
    const server = spawn(process.execPath, [BIN, 'serve', '--host', '0.0.0.0', '--port', '3154', '--allow-remote', '--db', tmpDb()], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      const lines: string[] = [];
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: server.stderr! }).on('line', (line) => {
          lines.push(line);
          if (line.includes('is serving')) resolve();
        });
        server.once('exit', () => reject(new Error(lines.join('\n'))));
      });
      expect(lines.join('\n')).toMatch(/WARNING/);
      const token = /token=([\w-]+)/.exec(lines.join('\n'))![1]!;
      expect((await fetch('http://127.0.0.1:3154/api/runs')).status).toBe(401);
      expect((await fetch('http://127.0.0.1:3154/api/runs', { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      // fetch may not set Host; a rebound browser would send the hostile name.
      const rebound = await new Promise<number>((resolve, reject) =>
        http.get('http://127.0.0.1:3154/api/runs', { headers: { Authorization: `Bearer ${token}`, Host: 'evil.example:3154' } }, (res) => {
          res.resume();
          resolve(res.statusCode!);
        }).on('error', reject),
      );
      expect(rebound).toBe(421);
    } finally {
      server.kill('SIGTERM');
    }
  }, 30_000);
});
