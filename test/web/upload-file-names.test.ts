import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeNpy } from '../../src/models/imported/prediction-file.ts';
import { listOwnDigits } from '../../src/data/own-digits/digit-set.ts';
import { listRuns } from '../../src/store/store.ts';
import { webApp } from '../helpers/web.ts';

const { app, db } = webApp();

/** Names a client may send that are no file name here: each used to be a 500 (EISDIR, ERR_INVALID_ARG_VALUE, ENAMETOOLONG). */
const HOSTILE_NAMES = { 'two dots': '..', 'one dot': '.', 'a NUL byte': 'preds\0.npy', '300 characters': `${'p'.repeat(296)}.npy` };

const seven = new Uint8Array(readFileSync(path.join(import.meta.dirname, '../fixtures/own-digits/07-7-paper.jpg')));
/** Ten uniform rows: a prediction file for the first ten test images, recognised by its bytes. */
const predictions = new Uint8Array(writeNpy(new Float32Array(100).fill(0.1)));

function upload(fields: Record<string, string | File>): RequestInit {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return { method: 'POST', body: form, headers: { Origin: 'http://localhost' } };
}

describe("an upload's file name is never used as a path", () => {
  for (const [what, name] of Object.entries(HOSTILE_NAMES)) {
    it(`imports a prediction file named with ${what}`, async () => {
      const res = await app.request('/runs/import', upload({ file: new File([predictions], name), name: `named with ${what}` }));
      expect(res.status, await res.clone().text()).toBe(303);
      expect(listRuns(db).find((run) => run.name === `named with ${what}`)).toMatchObject({ source: 'imported', status: 'completed' });
    });

    it(`reads and keeps an own digit named with ${what}`, async () => {
      const read = await app.request('/own-digits/read', upload({ file: new File([seven], name) }));
      expect(read.status, await read.clone().text()).toBe(200);
      const kept = await app.request('/own-digits', upload({ file: new File([seven], name), label: '7' }));
      expect(kept.status, await kept.clone().text()).toBeLessThan(400);
      const stored = listOwnDigits(db)[0]!;
      expect(stored.name).not.toContain('\0');
      expect(stored.name.length).toBeLessThanOrEqual(200);
    });
  }
});
