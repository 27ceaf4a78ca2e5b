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

  it('puts a check across fields beside the field it is about', async () => {
    const { app } = webApp();
    const res = await postForm(app, '/sweeps', { optimizer: 'adam', momentum: '0.5,0.9', epochs: '1' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(fieldError(html, 'momentum')).toEqual({ invalid: true, message: 'applies to the sgd and rmsprop optimizers, not adam' });
    expect(fieldError(html, 'optimizer').invalid).toBe(false);
  });
});
