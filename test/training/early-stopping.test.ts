import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../db/client.ts';
import { RunQueue } from '../../src/execution/queue.ts';
import { createApp } from '../../src/web/app.tsx';
import { runCliCaptured } from '../helpers/cli.ts';
import { storeOn } from '../../src/store/open-store.ts';

describe('early stopping', () => {
  it('records the epoch it kept, in train --json, show --json, show and on the run page', async () => {
    const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'digitlab-early-')), 'runs.sqlite');
    const small = ['--train-limit', '500', '--test-limit', '100', '--epochs', '2', '--learning-rate', '0.01', '--seed', '3', '--db', db, '--json'];
    const trained = (await runCliCaptured(['train', '--early-stopping', '1', ...small])).lastJson();
    expect(trained.status).toBe('completed');
    const losses: number[] = trained.epochs.map((e: { valLoss: number }) => e.valLoss);
    // The kept epoch is the one with the lowest validation loss (the first of equals).
    expect(trained.keptEpoch).toBe(losses.indexOf(Math.min(...losses)) + 1);

    const shown = (await runCliCaptured(['show', String(trained.runId), '--db', db, '--json'])).lastJson();
    expect(shown.keptEpoch).toBe(trained.keptEpoch);
    const text = (await runCliCaptured(['show', String(trained.runId), '--db', db])).stdout;
    expect(text).toContain(`kept epoch ${trained.keptEpoch} of ${losses.length} (early stopping)`);

    const store = openDb(db);
    const app = createApp({ ...storeOn(store), queue: new RunQueue(storeOn(store)) });
    const page = await (await app.request(`/runs/${trained.runId}`)).text();
    expect(page).toMatch(new RegExp(`<span class="value">${trained.keptEpoch}</span>\\s*<span class="label">kept epoch \\(early stopping\\)`));
    store.$client.close();

    // Without early stopping there is no kept epoch to record, nor to show.
    const plain = (await runCliCaptured(['train', ...small, '--epochs', '1'])).lastJson();
    expect(plain.keptEpoch).toBeNull();
    expect((await runCliCaptured(['show', String(plain.runId), '--db', db])).stdout).not.toContain('kept epoch');
  }, 240_000);
});
