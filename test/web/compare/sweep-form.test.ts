import { describe, expect, it } from 'vitest';
import { listSweeps } from '../../../src/analysis/sweeps/sweep-store.ts';
import { postForm, webApp } from '../../helpers/web.ts';

/** The message shown beside a field of the sweep form, if any, and whether the field is marked invalid. */
function fieldError(html: string, field: string) {
  const label = /<label[^>]*>(?:(?!<\/label>)[\s\S])*<\/label>/g;
  const own = [...html.matchAll(label)].map((m) => m[0]).find((l) => l.includes(`name="${field}"`)) ?? '';
  return {
    invalid: /aria-invalid="true"/.test(own),
    message: />([^<]*)<\/span>\s*<\/label>$/.exec(own)?.[1] ?? /class="field-error"[^>]*>([^<]*)</.exec(own)?.[1],
  };
}

describe('the sweep form (bug 10)', () => {
  it('shows every error beside its own field, in the form\'s words rather than the CLI\'s', async () => {
    const { app, db } = webApp();
    const res = await postForm(app, '/sweeps', { 'learning-rate': '0.001,abc', epochs: '1,0', seeds: '0', 'batch-size': '32,64' });
    expect(res.status).toBe(422);
    const html = await res.text();
    for (const field of ['learning-rate', 'epochs', 'seeds']) {
      const error = fieldError(html, field);
      expect(error.invalid, field).toBe(true);
      expect(error.message, field).toMatch(/^[a-z]/);
      expect(error.message, field).not.toMatch(/^--/);
    }
    expect(fieldError(html, 'learning-rate').message).toMatch(/^must be a number from 1e-7 to 10; got .*abc/);
    expect(fieldError(html, 'batch-size').invalid).toBe(false);
    expect(html).toContain('value="32,64"');
    expect(listSweeps(db)).toHaveLength(0);
  });

  it('reports the model and augmentation beside their fields among many bad ones, not only when they are alone (issue 27)', async () => {
    const { app, db } = webApp();
    const bad = {
      epochs: '0', 'batch-size': '0', 'validation-split': '2', 'learning-rate': 'fast', 'train-limit': '0', 'test-limit': '0',
      threads: '0', optimizer: 'lbfgs', 'weight-decay': '5', model: 'nonexistent-net', augment: 'shift=foo',
    };
    const res = await postForm(app, '/sweeps', bad);
    expect(res.status).toBe(422);
    const html = await res.text();
    for (const field of Object.keys(bad)) expect(fieldError(html, field).invalid, field).toBe(true);
    expect(fieldError(html, 'model').message).toMatch(/^takes a preset .*; got &#39;nonexistent-net&#39;$/);
    expect(fieldError(html, 'augment').message).toBe('shift must be a number from 0 to 8 (px); got &#39;foo&#39;');
    // The preview lists the same problems, one per field.
    const preview = await (await postForm(app, '/sweeps/preview', bad)).text();
    expect(preview).toContain('nonexistent-net');
    expect(preview).toContain('shift must be a number');
    expect(listSweeps(db)).toHaveLength(0);
  });

  it('puts a check across fields beside the field it is about', async () => {
    const { app } = webApp();
    const res = await postForm(app, '/sweeps', { optimizer: 'adam', momentum: '0.5,0.9', epochs: '1' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldError(html, 'momentum')).toEqual({ invalid: true, message: 'applies to the sgd and rmsprop optimizers, not adam' });
    expect(fieldError(html, 'optimizer').invalid).toBe(false);
  });
});
