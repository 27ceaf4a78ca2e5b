import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.ts';
import { loadTestPredictions, testConfusion } from '../../src/store/store.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';
import { webApp } from '../helpers/web.ts';

describe('test images', () => {
  it('serves each as a cacheable 28x28 greyscale PNG with the MNIST pixels', async () => {
    const { app } = webApp();
    const res = await app.request('/images/test/7.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+, immutable/);
    const png = PNG.sync.read(Buffer.from(await res.arrayBuffer()));
    expect([png.width, png.height]).toEqual([28, 28]);
    const mnist = loadMnist('test', { limit: 8 });
    const red = Array.from({ length: 784 }, (_, i) => png.data[i * 4]);
    expect(red).toEqual(Array.from(mnist.images.subarray(7 * 784, 8 * 784)));
  });

  it.each(['/images/test/10000.png', '/images/test/10000', '/images/test/-1', '/images/test/abc.png', '/images/train/60000.png'])(
    'answers %s with 404',
    async (path) => {
      expect((await webApp().app.request(path)).status).toBe(404);
    },
  );
});

describe('the image view', () => {
  it('shows the image large with its label, the chosen run\'s probabilities and every run\'s verdict', async () => {
    const { app, db, images } = webApp();
    const labels = images.labels.subarray(0, 100);
    const right = recordCompletedRun(db, labels, { name: 'always right', accuracy: 1, seed: 1 });
    const wrong = recordCompletedRun(db, labels, { name: 'always wrong', accuracy: 0, seed: 2 });
    const res = await app.request(`/images/test/3?run=${right.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<img src="/images/test/3.png" width="280" height="280"');
    expect(html).toContain(`label <strong class="truth">${labels[3]}</strong>`);
    expect(html).toContain(`Run #${right.id} predicts <strong class="right">${labels[3]}</strong>`);
    expect(html.match(/<rect class="track"/g)).toHaveLength(10);
    expect(html).toContain('1 of 2 runs got it right');
    expect(html).toMatch(new RegExp(`<tr class="wrong"><td><a href="/images/test/3\\?run=${wrong.id}">`));
  });

  it('says so when no run has a prediction for the image yet', async () => {
    const { app } = webApp();
    expect(await (await app.request('/images/test/3')).text()).toContain('No completed run has a prediction for this image yet.');
  });

  it("shows an image beyond a run's test limit, and says that the run did not test it (bug 2)", async () => {
    const { app, db, images } = webApp();
    const run = recordCompletedRun(db, images.labels.subarray(0, 10));
    const last = await (await app.request(`/images/test/9?run=${run.id}`)).text();
    expect(last).toContain(`href="/images/test/10?run=${run.id}">next`);
    const res = await app.request(`/images/test/10?run=${run.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<img src="/images/test/10.png"');
    expect(html).toContain(`Run #${run.id} did not test this image: it tested the first 10 test images.`);
    expect(html).toContain(`href="/images/test/11?run=${run.id}">next`);
  });

  it('walks the images of the confusion-matrix cell it was opened from, in its gallery\'s order (issue 27, item 33)', async () => {
    const { app, db, images } = webApp();
    const run = recordCompletedRun(db, images.labels.subarray(0, 300), { accuracy: 0.5 });
    const predictions = loadTestPredictions(db, run.id)!;
    // The fullest cell off the diagonal, and its images as the run page's cell gallery lists them.
    const confusion = testConfusion(db, run.id)!;
    const [label, predicted] = confusion.flatMap((row, l) => row.map((n, p) => ({ n, l, p }))).filter((x) => x.l !== x.p).sort((a, b) => b.n - a.n).map((x) => [x.l, x.p])[0]!;
    const cellPage = await (await app.request(`/runs/${run.id}?cell=${label}-${predicted}`)).text();
    const gallery = cellPage.slice(cellPage.indexOf('<section id="cell-gallery"'));
    const links = [...gallery.matchAll(/<a href="(\/images\/test\/(\d+)\?run=\d+&amp;cell=\d-\d)"/g)];
    const order = links.map((m) => Number(m[2]));
    expect(order.length).toBeGreaterThan(2);
    expect(order.every((i) => images.labels[i] === label && predictions.predicted[i] === predicted)).toBe(true);
    const second = await (await app.request(links[1]![1]!.replace(/&amp;/g, '&'))).text();
    expect(second).toContain(`<a href="/images/test/${order[0]}?run=${run.id}&amp;cell=${label}-${predicted}">← previous</a>`);
    expect(second).toContain(`<a href="/images/test/${order[2]}?run=${run.id}&amp;cell=${label}-${predicted}">next →</a>`);
    expect(second).toContain(`2 of ${order.length} in <a href="/runs/${run.id}?cell=${label}-${predicted}">true ${label}, predicted ${predicted}</a>`);
    // An image outside the cell, or no cell: the whole test set, as before.
    const outside = [...Array(300).keys()].find((i) => i > 0 && !order.includes(i))!;
    expect(await (await app.request(`/images/test/${order[1]}?run=${run.id}`)).text()).toContain(`href="/images/test/${order[1]! + 1}?run=${run.id}">next`);
    expect(await (await app.request(`/images/test/${outside}?run=${run.id}&cell=${label}-${predicted}`)).text()).toContain(`href="/images/test/${outside + 1}?run=${run.id}">next`);
    expect((await app.request(`/images/test/3?run=${run.id}&cell=35`)).status).toBe(400);
  });

  it.each([
    ['run=abc', 400],
    ['run=999', 404],
  ])('answers ?%s with %i', async (query, status) => {
    const { app, db, images } = webApp();
    recordCompletedRun(db, images.labels.subarray(0, 10));
    expect((await app.request(`/images/test/3?${query}`)).status).toBe(status);
  });
});
