import { describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.ts';
import { archiveRuns, RunNotArchivableError } from '../../src/store/run-archive.ts';
import { fieldNames, pageOf, parseWhere, runListRows, selectRuns, type RunQuery } from '../../src/store/run-list.ts';
import { createRun } from '../../src/store/store.ts';
import { memoryDb, smallRunParams } from '../helpers/db.ts';
import { recordCompletedRun } from '../helpers/recorded-runs.ts';

const { labels } = loadMnist('test', { limit: 200 });

function store() {
  const db = memoryDb();
  const slow = recordCompletedRun(db, labels, { name: 'slow', accuracy: 0.99, seed: 1, params: { learningRate: 0.0001 } });
  const fast = recordCompletedRun(db, labels, { name: 'fast', accuracy: 0.8, seed: 2, params: { learningRate: 0.01, model: 'mlp' } });
  const noVal = recordCompletedRun(db, labels, { name: 'no-val', accuracy: 0.985, seed: 3, params: { learningRate: 0.001, validationSplit: 0 }, tags: { kind: 'x' } });
  const queued = createRun(db, { name: 'queued', params: smallRunParams({ learningRate: 0.003 }) });
  return { db, slow, fast, noVal, queued };
}

const ids = (db: ReturnType<typeof memoryDb>, query: RunQuery) => selectRuns(runListRows(db), query).map(({ run }) => run.id);

function where(db: ReturnType<typeof memoryDb>, expression: string) {
  const parsed = parseWhere(expression, fieldNames(runListRows(db)));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.terms;
}

describe('the runs list filter', () => {
  it('keeps runs where every comparison holds, over params, aliases, metrics and defaulted params', () => {
    const { db, slow, fast, noVal, queued } = store();
    expect(ids(db, { where: where(db, 'lr>=0.001') })).toEqual([queued.id, noVal.id, fast.id]);
    expect(ids(db, { where: where(db, 'learningRate<0.001') })).toEqual([slow.id]);
    expect(ids(db, { where: where(db, 'lr >= 0.001 acc>0.9') })).toEqual([noVal.id]);
    expect(ids(db, { where: where(db, 'acc>=90%') })).toEqual([noVal.id, slow.id]);
    // model is absent on runs of the reference CNN: model=reference still finds them.
    expect(ids(db, { where: where(db, 'model=reference, acc>0') })).toEqual([noVal.id, slow.id]);
    expect(ids(db, { where: where(db, 'model!=reference') })).toEqual([fast.id]);
    // A run that held out no validation data has no val_acc, so no comparison with it holds.
    expect(ids(db, { where: where(db, 'val_acc>0') })).toEqual([fast.id, slow.id]);
    expect(ids(db, { where: where(db, 'trainLimit=60000') })).toEqual([noVal.id, fast.id, slow.id]);
  });

  it('names the bad term and what is allowed', () => {
    const { db } = store();
    const fields = fieldNames(runListRows(db));
    const unknown = parseWhere('lr>0.001 lrr>0.1', fields);
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.error).toMatch(/^'lrr' in 'lrr>0.1' is not a name.*allowed: metrics id, name, status.*val_acc.*params lr \(learningRate\)/);
    const noOperator = parseWhere('acc>0.9 fast', fields);
    expect(!noOperator.ok && noOperator.error).toMatch(/^'fast' is not a comparison: .*<= >= != = < >/);
    const textOrder = parseWhere('model>mlp', fields);
    expect(!textOrder.ok && textOrder.error).toMatch(/'model>mlp' compares model with text 'mlp': > needs a number/);
  });

  it('sorts by any param or metric with runs lacking the value last, and pages', () => {
    const { db, slow, fast, noVal, queued } = store();
    expect(ids(db, { sort: 'learningRate', dir: 'asc' })).toEqual([slow.id, noVal.id, queued.id, fast.id]);
    // Without a validation figure (no split; not trained yet) a run goes last, newest first.
    expect(ids(db, { sort: 'val_acc', dir: 'desc' })).toEqual([slow.id, fast.id, queued.id, noVal.id]);
    expect(ids(db, { sort: 'val_acc', dir: 'asc' })).toEqual([fast.id, slow.id, queued.id, noVal.id]);
    expect(ids(db, { sort: 'acc', dir: 'asc' })[0]).toBe(fast.id);
    const page = pageOf([1, 2, 3, 4, 5], 3, 2);
    expect(page).toEqual({ items: [5], page: 3, pages: 3, perPage: 2 });
    expect(pageOf([1, 2, 3], 9, 2).page).toBe(2);
  });

  it('hides archived runs unless asked, and archives only runs that have ended', () => {
    const { db, slow, fast, queued } = store();
    expect(archiveRuns(db, [slow.id]).map((r) => r.changed)).toEqual([true]);
    expect(ids(db, {})).not.toContain(slow.id);
    expect(ids(db, { archived: true })).toContain(slow.id);
    expect(() => archiveRuns(db, [fast.id, queued.id])).toThrow(RunNotArchivableError);
    expect(ids(db, {})).toContain(fast.id); // all or none
    expect(archiveRuns(db, [slow.id], { undo: true }).map((r) => r.changed)).toEqual([true]);
    expect(ids(db, {})).toContain(slow.id);
  });
});
