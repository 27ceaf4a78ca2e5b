import { datasetLookup, type DatasetLookup } from '../../data/datasets/catalogue.ts';
import type { TrackedEpoch, TrackedParams, TrackedRunInput } from '../../store/tracked-runs.ts';

/**
 * The tracking API's bodies, checked before anything is stored: each parser returns the value or
 * the problems, one per field, so a script learns everything wrong with a report at once.
 */

export interface FieldProblem {
  field: string;
  problem: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: FieldProblem[] };

/** The lease a script gets unless it asks for another, as remote workers do. */
export const DEFAULT_TRACKING_LEASE_SECONDS = 60;
/** Short leases let a test see a killed script fail quickly; long ones suit a script that blocks between reports. */
export const TRACKING_LEASE_SECONDS = { min: 2, max: 24 * 3600 };

const NAME_MAX = 200;
const PARAMS_MAX = 200;
const KEY_PATTERN = /^[A-Za-z_][\w.-]{0,63}$/;

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
/** Text a page can show as it is: no control characters, no lone surrogates. */
const isCleanText = (text: string) => !/[\u0000-\u001f\u007f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);

function textField(body: Record<string, unknown>, field: string, problems: FieldProblem[], max: number): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '' || value.length > max || !isCleanText(value)) {
    problems.push({ field, problem: `must be text of 1 to ${max} printable characters` });
    return null;
  }
  return value.trim();
}

function paramsField(value: unknown, problems: FieldProblem[]): TrackedParams {
  if (value === undefined) return {};
  if (!isObject(value)) {
    problems.push({ field: 'params', problem: 'must be an object of names to numbers, text, booleans or null' });
    return {};
  }
  const entries = Object.entries(value);
  if (entries.length > PARAMS_MAX) problems.push({ field: 'params', problem: `has ${entries.length} entries; at most ${PARAMS_MAX}` });
  const params: TrackedParams = {};
  for (const [key, item] of entries.slice(0, PARAMS_MAX)) {
    const scalar = item === null || typeof item === 'boolean' || (typeof item === 'number' && Number.isFinite(item)) || (typeof item === 'string' && item.length <= 500 && isCleanText(item));
    if (!KEY_PATTERN.test(key) || !scalar) {
      problems.push({ field: `params.${key.slice(0, 64)}`, problem: 'names are letters, digits, _ . - (up to 64); values are finite numbers, text (up to 500 characters), booleans or null' });
    } else {
      params[key] = item as TrackedParams[string];
    }
  }
  return params;
}

function tagsField(value: unknown, problems: FieldProblem[]): Record<string, string> {
  if (value === undefined) return {};
  if (!isObject(value) || !Object.entries(value).every(([k, v]) => KEY_PATTERN.test(k) && typeof v === 'string' && v.length <= 200 && isCleanText(v))) {
    problems.push({ field: 'tags', problem: 'must be an object of names (letters, digits, _ . -) to text of up to 200 characters' });
    return {};
  }
  return { ...(value as Record<string, string>) };
}

function unknownFields(body: Record<string, unknown>, known: string[], problems: FieldProblem[]): void {
  // Object.keys, not `in`: a "__proto__" key in JSON is an own key and must be named, not let through.
  for (const key of Object.keys(body)) if (!known.includes(key)) problems.push({ field: key.slice(0, 64), problem: `is not a field; the fields are ${known.join(', ')}` });
}

/**
 * POST /api/tracking/runs: the new run's name, params, tags, framework, lease and dataset (a name
 * `datasets` knows; absent, MNIST).
 */
export function parseNewTrackedRun(body: Record<string, unknown>, ownerTokenId: number | null, datasets: DatasetLookup = datasetLookup(null)): Parsed<TrackedRunInput> {
  const problems: FieldProblem[] = [];
  unknownFields(body, ['name', 'params', 'tags', 'framework', 'leaseSeconds', 'dataset'], problems);
  const dataset = textField(body, 'dataset', problems, 64);
  if (dataset !== null && !datasets.classNamesOf(dataset)) {
    problems.push({ field: 'dataset', problem: `must name a known dataset (${datasets.names().join(', ')}); got '${dataset}'` });
  }
  const name = textField(body, 'name', problems, NAME_MAX);
  const framework = textField(body, 'framework', problems, 40);
  const params = paramsField(body.params, problems);
  const tags = tagsField(body.tags, problems);
  let leaseSeconds = DEFAULT_TRACKING_LEASE_SECONDS;
  if (body.leaseSeconds !== undefined) {
    const lease = body.leaseSeconds;
    if (typeof lease !== 'number' || !Number.isFinite(lease) || lease < TRACKING_LEASE_SECONDS.min || lease > TRACKING_LEASE_SECONDS.max) {
      problems.push({ field: 'leaseSeconds', problem: `must be a number of seconds from ${TRACKING_LEASE_SECONDS.min} to ${TRACKING_LEASE_SECONDS.max}` });
    } else {
      leaseSeconds = lease;
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    value: {
      name: name ?? `${framework ?? 'tracked'} run`,
      params,
      tags,
      framework,
      leaseMs: leaseSeconds * 1000,
      ownerTokenId,
      ...(dataset !== null && dataset !== 'mnist' ? { dataset } : {}),
    },
  };
}

const EPOCH_FIELDS = ['epoch', 'loss', 'accuracy', 'valLoss', 'valAccuracy', 'seconds', 'metrics'];
const SCALARS_MAX = 50;

function finite(body: Record<string, unknown>, field: string, problems: FieldProblem[], { required = false, min = -Infinity, max = Infinity } = {}): number | null {
  const value = body[field];
  if (value === undefined || value === null) {
    if (required) problems.push({ field, problem: 'is required' });
    return null;
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    problems.push({ field, problem: `must be a finite number${min > -Infinity ? ` from ${min}` : ''}${max < Infinity ? ` to ${max}` : ''}; got ${JSON.stringify(value)?.slice(0, 40)}` });
    return null;
  }
  return value;
}

/** POST /api/tracking/runs/:id/epochs: one finished epoch, counted from 1. */
export function parseTrackedEpoch(body: Record<string, unknown>): Parsed<TrackedEpoch> {
  const problems: FieldProblem[] = [];
  unknownFields(body, EPOCH_FIELDS, problems);
  const epoch = body.epoch;
  if (!Number.isSafeInteger(epoch) || (epoch as number) < 1 || (epoch as number) > 1_000_000) problems.push({ field: 'epoch', problem: 'must be a whole number from 1 (epochs count from 1)' });
  const loss = finite(body, 'loss', problems, { required: true, min: 0 });
  const accuracy = finite(body, 'accuracy', problems, { min: 0, max: 1 });
  const valLoss = finite(body, 'valLoss', problems, { min: 0 });
  const valAccuracy = finite(body, 'valAccuracy', problems, { min: 0, max: 1 });
  const seconds = finite(body, 'seconds', problems, { min: 0 });
  const scalars: Record<string, number> = {};
  if (body.metrics !== undefined) {
    const metrics = body.metrics;
    if (!isObject(metrics) || Object.keys(metrics).length > SCALARS_MAX) {
      problems.push({ field: 'metrics', problem: `must be an object of up to ${SCALARS_MAX} names to finite numbers` });
    } else {
      for (const [name, value] of Object.entries(metrics)) {
        if (!KEY_PATTERN.test(name) || typeof value !== 'number' || !Number.isFinite(value)) problems.push({ field: `metrics.${name.slice(0, 64)}`, problem: 'must be a finite number under a name of letters, digits, _ . -' });
        else scalars[name] = value;
      }
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, value: { epoch: epoch as number, loss: loss!, accuracy, valLoss, valAccuracy, seconds: seconds ?? 0, scalars } };
}

/**
 * PUT /api/tracking/runs/:id/predictions: {"probabilities": [[p0..p9], ...]}, one row per test
 * image in test order, all of them or a prefix. Rows are checked as an imported file's are.
 */
/** PUT .../predictions: one row of `classes` probabilities per test image, at most `testImages` rows. */
export function parseTrackedPredictions(body: Record<string, unknown>, testImages: number, classes = 10): Parsed<Float32Array> {
  const rows = body.probabilities;
  if (!Array.isArray(rows) || rows.length === 0 || rows.length > testImages) {
    return { ok: false, problems: [{ field: 'probabilities', problem: `must be a list of 1 to ${testImages} rows, one per test image in test order` }] };
  }
  const values = new Float32Array(rows.length * classes);
  for (let i = 0; i < rows.length; i++) {
    const row: unknown = rows[i];
    if (!Array.isArray(row) || row.length !== classes || !row.every((v) => typeof v === 'number')) {
      return { ok: false, problems: [{ field: `probabilities[${i}]`, problem: `must be a list of ${classes} numbers, one per class of the run's dataset` }] };
    }
    values.set(row as number[], i * classes);
  }
  return { ok: true, value: values };
}

export const TRACKED_END_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export type TrackedEndStatus = (typeof TRACKED_END_STATUSES)[number];

/** POST /api/tracking/runs/:id/end: how the script ended, with its message when it failed. */
export function parseTrackedEnd(body: Record<string, unknown>): Parsed<{ status: TrackedEndStatus; error: string | null }> {
  const problems: FieldProblem[] = [];
  unknownFields(body, ['status', 'error'], problems);
  const status = body.status;
  if (!TRACKED_END_STATUSES.includes(status as TrackedEndStatus)) problems.push({ field: 'status', problem: `must be one of ${TRACKED_END_STATUSES.join(', ')}` });
  const error = body.error;
  if (error !== undefined && error !== null && typeof error !== 'string') problems.push({ field: 'error', problem: 'must be text' });
  if (problems.length > 0) return { ok: false, problems };
  const message = typeof error === 'string' ? [...error].filter((ch) => ch >= ' ' || ch === '\n').join('').slice(0, 2000) : null;
  return { ok: true, value: { status: status as TrackedEndStatus, error: message || (status === 'completed' ? null : `${status} by the script`) } };
}
