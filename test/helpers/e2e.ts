import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
// In CI a missing browser is a broken machine, not a reason to pass: there the test fails loudly.
const inCi = process.env.CI === 'true';
/** Whether the browser tests are skipped: only off CI, when Debian's Chromium is not installed. */
export const skipE2e = missing && !inCi;
if (skipE2e) console.warn(`e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does it)`);

/** Starts `digitlab serve` on a free loopback port with its own SQLite file; resolves its URL. */
export function startServer(): Promise<{ server: ChildProcess; url: string }> {
  const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-e2e-')), 'runs.sqlite');
  const server = spawn(process.execPath, ['bin/digitlab.js', 'serve', '--port', '0', '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    server.stderr!.on('data', (chunk) => {
      log += chunk;
      const url = /serving (http:\/\/127\.0\.0\.1:\d+)\//.exec(log)?.[1];
      if (url) resolve({ server, url });
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${log}`)));
  });
}

export function launchBrowser(): Promise<BrowserContext> {
  if (missing) throw new Error(`${CHROMIUM} is missing: the e2e test needs Debian's chromium (apt-get install -y chromium)`);
  return chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'digitlab-chromium-')), {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1300, height: 900 },
  });
}

/** Stops the server and waits for it, so no test leaves a process behind. */
export async function stopServer(server: ChildProcess | undefined): Promise<void> {
  if (!server || server.exitCode !== null) return;
  const exited = new Promise((resolve) => server.on('exit', resolve));
  server.kill('SIGTERM');
  await exited;
}
