import { describe, expect, it } from 'vitest';
import { loadMap, pixelMapKey } from '../../src/analysis/maps/map-store.ts';
import { loadDataset, registerDataset } from '../../src/data/datasets/catalogue.ts';
import { SHAPE_CLASSES, tempDir, writePictureFolder } from '../helpers/datasets.ts';
import { webApp } from '../helpers/web.ts';

/** The app (maps laid out in its worker thread, as served) with a registered picture folder `shapes`: 4 classes, 12 test pictures. */
function appWithPictures() {
  const web = webApp();
  registerDataset(web.db, 'shapes', writePictureFolder(tempDir('pixel-map')));
  return { ...web, test: loadDataset(web.db, 'shapes', 'test') };
}

describe("another dataset's pixel map", () => {
  it("is laid out from that dataset's stored test pictures in a thread while the fragment polls, and shows its class names", async () => {
    const { app, db, test } = appWithPictures();
    const page = await (await app.request('/dataset?dataset=shapes')).text();
    expect(page).toContain('hx-get="/maps/pixels?dataset=shapes"');

    let fragment = await (await app.request('/maps/pixels?dataset=shapes')).text();
    expect(fragment).toContain('hx-get="/maps/pixels?dataset=shapes" hx-trigger="load delay:1s"');
    for (let tries = 0; fragment.includes('hx-trigger'); tries++) {
      if (tries > 600) throw new Error('the map of shapes was not computed in a minute');
      await new Promise((resolve) => setTimeout(resolve, 100));
      fragment = await (await app.request('/maps/pixels?dataset=shapes')).text();
    }
    expect(fragment).toContain('data-src="/maps/pixels.json?dataset=shapes"');
    expect(fragment).toContain('data-href="/images/test/{index}?dataset=shapes"');
    expect(fragment).toContain(`${test.count} points`);
    const legend = [...fragment.matchAll(/■ ([^<]+)</g)].map((m) => m[1]);
    expect(legend).toEqual(SHAPE_CLASSES);
    expect(fragment).not.toContain('seven slice');

    const points = await (await app.request('/maps/pixels.json?dataset=shapes')).json();
    expect(points.points).toHaveLength(2 * test.count);
    expect(points).toMatchObject({ dataset: 'shapes', classNames: SHAPE_CLASSES, labels: Array.from(test.labels), predicted: null, crossedSevens: [] });
    // Stored as this dataset's: MNIST's pixel map is neither it nor computed by asking for it.
    expect(loadMap(db, pixelMapKey('shapes'))?.count).toBe(test.count);
    expect(loadMap(db, pixelMapKey('mnist'))).toBeNull();
    expect((await app.request('/maps/pixels.json')).status).toBe(404);
  }, 120_000);

  it('is a 404 naming a dataset that does not exist, as a page and as JSON', async () => {
    const { app, maps } = appWithPictures();
    const fragment = await app.request('/maps/pixels?dataset=no-such');
    expect(fragment.status).toBe(404);
    expect(await fragment.text()).toContain('no dataset named &#39;no-such&#39;');
    const json = await app.request('/maps/pixels.json?dataset=no-such');
    expect(json.status).toBe(404);
    expect((await json.json()).error).toContain("no dataset named 'no-such'");
    expect(maps.status(pixelMapKey('shapes'))).toEqual({ state: 'absent' });
  });
});
