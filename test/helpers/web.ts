import type { Hono } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { ExplainThread } from '../../src/analysis/explain/explain-in-thread.ts';
import { MapJobs } from '../../src/analysis/maps/map-jobs.ts';
import { ModelJobs } from '../../src/analysis/model-jobs/model-jobs.ts';
import { RunAnalyses } from '../../src/analysis/run-analyses/run-analyses.ts';
import { loadMnist } from '../../src/data/mnist.ts';
import { RunQueue } from '../../src/execution/queue.ts';
import { leasePolicy } from '../../src/execution/workers/leases.ts';
import { createApp } from '../../src/web/app.tsx';
import { CompletedRunMemo } from '../../src/web/completed-run-memo.ts';
import type { DrawnGallery } from '../../src/web/run-results.ts';
import { DatasetImages, TestImages } from '../../src/web/test-images.ts';
import type { Db } from '../../db/client.ts';
import { memoryDb } from './db.ts';
import { storeOn } from '../../src/store/open-store.ts';

/** One copy of the MNIST test set per test file: every app in it reads the same images. */
const images = new TestImages();
const trainImages = new TestImages(() => loadMnist('train'));

/** The app on a fresh in-memory store (or `store`), with a queue that records but never starts workers. */
export function webApp(store: Db = memoryDb()) {
  const { db, runs } = storeOn(store);
  const queue = new RunQueue({ db, runs });
  const leases = leasePolicy();
  const jobs = new ModelJobs(db);
  const maps = new MapJobs(db);
  const datasets = new DatasetImages(db, { test: images, train: trainImages });
  const analyses = new RunAnalyses(db, (dataset) => datasets.test(dataset).labels);
  const explainer = new ExplainThread(db);
  const [galleries, pairImages] = [new CompletedRunMemo<DrawnGallery>(64), new CompletedRunMemo<JSX.Element>(64)];
  const collapses = new CompletedRunMemo<string | null>(1000);
  const deps = { db, runs, queue, images, trainImages, datasets, jobs, maps, analyses, explainer, galleries, pairImages, collapses, leases };
  return { ...deps, app: createApp(deps) };
}

/** A same-origin form post, as a browser sends one (the CSRF guard wants the Origin). */
export function postForm(app: Hono, path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: 'POST',
    headers: { Origin: 'http://localhost', 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields),
  });
}

/**
 * The dataset page (`query` such as '?dataset=shapes') followed by its facts section, polled until
 * its thread has computed them: the page answers at once with the section pending.
 */
export async function datasetPageWithFacts(app: Hono, query = ''): Promise<string> {
  const page = await (await app.request(`/dataset${query}`)).text();
  let facts = page;
  for (let tries = 0; facts.includes('hx-get="/dataset/facts'); tries++) {
    if (tries > 600) throw new Error(`the facts of /dataset${query} were not computed in a minute`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    facts = await (await app.request(`/dataset/facts${query}`)).text();
  }
  return page + facts;
}
