import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { openDb, type Db } from '../../db/client.ts';
import { spawnServe, stopProcess } from './serve-process.ts';

const CHROMIUM = '/usr/bin/chromium';
const missing = !existsSync(CHROMIUM);
// In CI a missing browser is a broken machine, not a reason to pass: there the test fails loudly.
const inCi = process.env.CI === 'true';
/** Whether the browser tests are skipped: only off CI, when Debian's Chromium is not installed. */
export const skipE2e = missing && !inCi;
if (skipE2e) console.warn(`e2e skipped: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does it)`);

/**
 * Starts `digitlab serve` on a free loopback port with `args`, on `db` (default: a SQLite file of
 * its own), which `prepare` fills before the server opens it; resolves its URL. Its runs train at
 * the low priority: under SCHED_IDLE they would wait for the suite's other files.
 */
export function startServer(
  options: { db?: string; args?: string[]; prepare?: (db: Db) => void } = {},
): Promise<{ server: ChildProcess; url: string }> {
  const db = options.db ?? path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-e2e-')), 'runs.sqlite');
  if (options.prepare) {
    const store = openDb(db);
    options.prepare(store);
    store.$client.close();
  }
  return spawnServe(db, ['--run-priority', 'low', ...(options.args ?? [])]);
}

function launchBrowser(): Promise<BrowserContext> {
  if (missing) throw new Error(`${CHROMIUM} is missing: the e2e test needs Debian's chromium (apt-get install -y chromium)`);
  return chromium.launchPersistentContext(mkdtempSync(path.join(os.tmpdir(), 'digitlab-chromium-')), {
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1300, height: 900 },
  });
}

/**
 * A `digitlab serve` of its own and a Chromium page for the enclosing describe block, stopped
 * after it. Read `page` and `base` inside the tests: they are set once the block starts. `prepare`
 * fills the database before the server opens it; `db` is a SQLite file to serve (one an earlier
 * beforeAll filled, e.g. by training).
 */
export function browserSession(options: { prepare?: (db: Db) => void; db?: string } = {}): { page: Page; base: string } {
  let server: ChildProcess | undefined;
  let browser: BrowserContext | undefined;
  const session = { page: undefined as unknown as Page, base: '' };
  beforeAll(async () => {
    ({ server, url: session.base } = await startServer({ prepare: options.prepare, db: options.db }));
    browser = await launchBrowser();
    session.page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await stopProcess(server);
  });
  return session;
}
