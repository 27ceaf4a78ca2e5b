import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/models/imported/prediction-file.ts';
import { listRuns } from '../../src/store/store.ts';
import { longestStallDuring } from '../helpers/event-loop.ts';
import { webApp } from '../helpers/web.ts';

/** A prediction file of every test image whose probabilities are written with 200 digits each: about 20 MB of text. */
function longCsv(labels: Uint8Array): string {
  const digits = '3'.repeat(196);
  const rows = Array.from(labels, (label) => Array.from({ length: 10 }, (_, k) => (k === label ? `0.91${digits}` : `0.01${digits}`)).join(','));
  return rows.join('\n') + '\n';
}

describe('importing a large prediction file', () => {
  it('reads and parses it off the event loop: the server keeps answering meanwhile', async () => {
    const { app, db, images } = webApp();
    const csv = longCsv(images.labels);
    expect(csv.length).toBeGreaterThan(19_000_000);
    const form = new FormData();
    form.set('file', new File([csv], 'long.csv'));
    // Encoded before the measurement: the client's work is not the server's stall.
    const encoded = new Request('http://localhost/runs/import', { method: 'POST', body: form });
    const headers = { Origin: 'http://localhost', 'Content-Type': encoded.headers.get('content-type')! };
    const body = new Uint8Array(await encoded.arrayBuffer());
    const { result, longestStall } = await longestStallDuring(() => app.request('/runs/import', { method: 'POST', body, headers }));
    expect(result.status).toBe(303);
    const [run] = listRuns(db);
    expect(run?.testAccuracy).toBe(1);
    // The read, hash and parse it no longer does on the event loop, timed here on this machine as loaded
    // as it is now (4 s for 40 MB in the issue). What is left (the body, here one 20 MB chunk, scanned for
    // its boundary and written out; the test labels read; scoring and storing the run) took 83 to 109 ms at
    // load 3; a served upload arrives in 64 kB chunks (bench/first-views.ts --case import-csv: 38 to 161 ms).
    const started = performance.now();
    const bytes = Buffer.from(csv);
    createHash('sha256').update(bytes).digest('hex');
    parseCsv(bytes.toString('utf8'));
    const inPlace = performance.now() - started;
    expect(longestStall, `parsing in place took ${Math.round(inPlace)} ms`).toBeLessThan(Math.max(500, inPlace));
  }, 120_000);
});
