import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { ModelJobs } from '../../src/analysis/model-jobs/model-jobs.ts';
import { RunQueue } from '../../src/execution/queue.ts';
import { leasePolicy } from '../../src/execution/workers/leases.ts';
import { createApp } from '../../src/web/app.tsx';
import { TestImages } from '../../src/web/test-images.ts';
import { storeOn } from '../../src/store/open-store.ts';

const seven = new Uint8Array(readFileSync(path.join(import.meta.dirname, '../fixtures/own-digits/07-7-paper.jpg')));
const dbFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-fresh-')), 'runs.sqlite');

beforeAll(() => {
  // Trained in another process: this one must not have chosen a tfjs engine before the requests come.
  execFileSync(process.execPath, ['bin/digitlab.js', 'train', '--epochs', '1', '--train-limit', '500', '--test-limit', '100', '--backend', 'wasm', '--db', dbFile], { stdio: 'ignore' });
}, 120_000);

describe('a freshly started server', () => {
  it('reads pictures sent concurrently before anything chose the tfjs engine, without a 500', async () => {
    const db = openDb(dbFile);
    const images = new TestImages();
    const app = createApp({ ...storeOn(db), queue: new RunQueue(storeOn(db)), images, trainImages: images, jobs: new ModelJobs(db), leases: leasePolicy() });
    const read = () => {
      const form = new FormData();
      form.append('file', new File([seven], 'seven.jpg'));
      return app.request('/own-digits/read', { method: 'POST', body: form, headers: { 'HX-Request': 'true', Origin: 'http://localhost' } });
    };
    const answers = await Promise.all(Array.from({ length: 4 }, read));
    const failures = await Promise.all(answers.filter((res) => res.status !== 200).map(async (res) => `${res.status} ${await res.text()}`));
    expect(failures).toEqual([]);
  }, 120_000);
});
