import { describe, expect, it } from 'vitest';
import { localBuiltInHashes, registerDataset } from '../../../src/data/datasets/catalogue.ts';
import { createRun } from '../../../src/store/store.ts';
import { createToken } from '../../../src/store/worker-tokens.ts';
import { smallRunParams } from '../../helpers/db.ts';
import { tempDir, writePictureFolder } from '../../helpers/datasets.ts';
import { webApp } from '../../helpers/web.ts';

const local = localBuiltInHashes();

describe('remote workers and datasets', () => {
  it('hands a worker only runs on the built-in datasets whose files it has as the server has them; a registered dataset stays for the server', async () => {
    const { app, db } = webApp();
    registerDataset(db, 'shapes', writePictureFolder(tempDir('worker-shapes'), 2));
    const { token } = createToken(db, 'far-worker');
    const claim = (body: Record<string, unknown>) =>
      app.request('/api/workers/claim', { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ host: 'far', ...body }) });
    const shapes = createRun(db, { name: 'shapes', params: { ...smallRunParams(), dataset: 'shapes' } });
    const fashion = createRun(db, { name: 'fashion', params: { ...smallRunParams(), dataset: 'fashion-mnist' } });

    // Only MNIST's files (as a worker without the Debian package, or from before datasets): nothing it may train.
    const mnistOnly = await claim({ datasetHashes: local.mnist });
    expect(mnistOnly.status).toBe(200);
    expect((await mnistOnly.json()).run).toBeNull();

    // Fashion-MNIST's files that differ from the server's: refused, naming the dataset.
    const differing = await claim({ datasetHashes: local.mnist, datasets: { 'fashion-mnist': { ...local['fashion-mnist'], testLabels: '0'.repeat(64) } } });
    expect(differing.status).toBe(409);
    expect((await differing.json()).error).toMatch(/this worker's fashion-mnist files differ from the server's.*testLabels is 000000000000 on the worker/);

    // The same files: it gets the Fashion-MNIST run, never the registered dataset's, which is older.
    const same = await claim({ datasetHashes: local.mnist, datasets: { 'fashion-mnist': local['fashion-mnist'], shapes: { trainImages: 'x' } } });
    expect(same.status).toBe(200);
    const claimed = (await same.json()).run;
    expect(claimed).toMatchObject({ id: fashion.id, params: { dataset: 'fashion-mnist' } });
    expect(shapes.id).toBeLessThan(fashion.id);
    const again = await claim({ datasetHashes: local.mnist, datasets: { 'fashion-mnist': local['fashion-mnist'] } });
    expect((await again.json()).run).toBeNull();
  });
});
