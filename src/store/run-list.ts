import type { Db } from '../../db/client.ts';
import type { RunStatus } from '../../db/schema.ts';
import { epochHistory, listRuns, runTagMap, type Run } from './store.ts';
import { trainedByDigitlab } from './run-source.ts';
import { attemptWorker } from './run-attempts.ts';

/**
 * The runs list as every front end shows it (the /runs page, GET /api/runs, `digitlab runs`): one
 * filter, one sort and one pager over the runs with their tags and latest epoch figures, so the
 * three never disagree about which runs `lr>=0.001 acc>0.98` means.
 */

/** A run with what the list filters, sorts and shows it by. */
export interface RunListRow {
  run: Run;
  tags: Record<string, string>;
  /** The kept epoch's figures (the last epoch's without early stopping); null before the first epoch. */
  epoch: { loss: number; accuracy: number | null; valLoss: number | null; valAccuracy: number | null } | null;
  /** The worker token's name of the run's current attempt; null when no remote worker claimed it. */
  worker: string | null;
}

export type FieldValue = number | string | null;

/** Seconds a run has trained (so far, while it runs); null before it starts and for imported runs. */
export function runSeconds(run: Run, now = Date.now()): number | null {
  if (!run.startedAt || run.source === 'imported') return null;
  return ((run.finishedAt?.getTime() ?? now) - run.startedAt.getTime()) / 1000;
}

/** The figures a run is measured by, under the short names filters and columns use. */
export const METRICS: Record<string, { description: string; value: (row: RunListRow) => FieldValue }> = {
  id: { description: 'run id', value: ({ run }) => run.id },
  name: { description: 'run name', value: ({ run }) => run.name },
  status: { description: 'run status', value: ({ run }) => run.status },
  source: { description: 'local, worker or imported', value: ({ run }) => run.source },
  dataset: { description: 'the dataset it trains and is tested on', value: ({ run }) => run.dataset },
  backend: { description: 'training engine', value: ({ run }) => run.backend },
  host: { description: 'machine that trains or trained it', value: ({ run }) => run.host },
  acc: { description: 'test accuracy', value: ({ run }) => run.testAccuracy },
  loss: { description: 'test loss', value: ({ run }) => run.testLoss },
  val_acc: { description: 'validation accuracy', value: ({ epoch }) => epoch?.valAccuracy ?? null },
  val_loss: { description: 'validation loss', value: ({ epoch }) => epoch?.valLoss ?? null },
  train_acc: { description: 'training accuracy', value: ({ epoch }) => epoch?.accuracy ?? null },
  train_loss: { description: 'training loss', value: ({ epoch }) => epoch?.loss ?? null },
  duration: { description: 'training seconds', value: ({ run }) => runSeconds(run) },
  samples_per_s: { description: 'training samples per second', value: ({ run }) => run.trainSamplesPerSecond },
  created: { description: 'creation time (ms since 1970)', value: ({ run }) => run.createdAt.getTime() },
};

/** Short names for the params people type most; the recorded key works too. */
export const PARAM_ALIASES: Record<string, string> = { lr: 'learningRate', batch: 'batchSize', val_split: 'validationSplit' };

/** Older names of sort keys, kept so bookmarked links still sort. */
const SORT_ALIASES: Record<string, string> = { accuracy: 'acc' };

/** The stored params whose absence or null has a meaning (all of MNIST); the rest are read as they are. */
type DefaultedParams = { trainLimit?: number | null; testLimit?: number | null };

/** What an absent or null param means, so `model=reference` finds runs that never named their network. */
const PARAM_DEFAULTS: Record<string, (hp: DefaultedParams) => FieldValue> = {
  model: () => 'reference',
  optimizer: () => 'adam',
  trainLimit: (hp) => (hp.trainLimit === null ? 60_000 : null),
  testLimit: (hp) => (hp.testLimit === null ? 10_000 : null),
};

function paramValue(row: RunListRow, key: string): FieldValue {
  const hp = row.run.params as DefaultedParams & Record<string, unknown>;
  const value = hp[key];
  if (typeof value === 'number' || typeof value === 'string') return value;
  // A run digitlab did not train has none of its settings: nothing to default.
  if (!trainedByDigitlab(row.run) && key !== 'testLimit') return null;
  return PARAM_DEFAULTS[key]?.(hp) ?? null;
}

/** The names a store's runs can be filtered, sorted and shown by: the metrics, and every scalar param some run recorded. */
export function fieldNames(rows: RunListRow[]): { metrics: string[]; params: string[] } {
  const params = new Set(Object.keys(PARAM_DEFAULTS));
  for (const { run } of rows) {
    for (const [key, value] of Object.entries(run.params as Record<string, unknown>)) {
      if (value === null || typeof value === 'number' || typeof value === 'string') params.add(key);
    }
  }
  return { metrics: Object.keys(METRICS), params: [...params].filter((key) => !(key in METRICS)).sort() };
}

/** A field's value on a row; `name` is a metric, a param key or an alias. */
export function fieldValue(row: RunListRow, name: string): FieldValue {
  const metric = METRICS[name];
  return metric ? metric.value(row) : paramValue(row, PARAM_ALIASES[name] ?? name);
}

// ---------------------------------------------------------------------------------------------
// The filter expression: terms like `lr>=0.001 acc>0.98 model=reference`, all of which must hold.

export const OPERATORS = ['<=', '>=', '!=', '=', '<', '>'] as const;
type Operator = (typeof OPERATORS)[number];

export interface Term {
  text: string;
  name: string;
  op: Operator;
  value: number | string;
}

export type ParsedWhere = { ok: true; terms: Term[] } | { ok: false; error: string };

const TERM = /\s*([A-Za-z_][\w.-]*)\s*(<=|>=|!=|==|=|<|>)\s*("[^"]*"|'[^']*'|[^\s,]+)\s*,?/y;

/** A value as typed: a number (98% is 0.98), else text, quotes taken off. */
function valueOf(raw: string): number | string {
  if (/^(["']).*\1$/s.test(raw)) return raw.slice(1, -1);
  const percent = raw.endsWith('%');
  const number = Number(percent ? raw.slice(0, -1) : raw);
  if (raw !== '' && Number.isFinite(number)) return percent ? number / 100 : number;
  return raw;
}

function allowedNames(fields: { metrics: string[]; params: string[] }): string {
  const aliases = Object.entries(PARAM_ALIASES).map(([alias, key]) => `${alias} (${key})`);
  return `metrics ${fields.metrics.join(', ')}; params ${[...aliases, ...fields.params.filter((p) => !Object.values(PARAM_ALIASES).includes(p))].join(', ')}`;
}

/**
 * Parses a filter expression against the names `fields` allows. A bad term is named in the error
 * with what is allowed, so the person sees what to type instead.
 */
export function parseWhere(expression: string, fields: { metrics: string[]; params: string[] }): ParsedWhere {
  const terms: Term[] = [];
  const known = new Set([...fields.metrics, ...fields.params, ...Object.keys(PARAM_ALIASES)]);
  let at = 0;
  while (at < expression.length && expression.slice(at).trim() !== '') {
    TERM.lastIndex = at;
    const match = TERM.exec(expression);
    if (!match) {
      const bad = expression.slice(at).trim().split(/\s+/)[0]!;
      return { ok: false, error: `'${bad}' is not a comparison: write NAME OP VALUE with OP one of ${OPERATORS.join(' ')}, e.g. lr>=0.001 acc>0.98 model=reference` };
    }
    at = TERM.lastIndex;
    const [, name, op, raw] = match as unknown as [string, string, string, string];
    const text = `${name}${op}${raw}`;
    if (!known.has(name)) return { ok: false, error: `'${name}' in '${text}' is not a name runs are recorded with; allowed: ${allowedNames(fields)}` };
    const value = valueOf(raw);
    const operator = (op === '==' ? '=' : op) as Operator;
    if (typeof value === 'string' && operator !== '=' && operator !== '!=') {
      return { ok: false, error: `'${text}' compares ${name} with text '${value}': ${operator} needs a number; text takes = or !=` };
    }
    terms.push({ text, name, op: operator, value });
  }
  return { ok: true, terms };
}

function holds(row: RunListRow, term: Term): boolean {
  const actual = fieldValue(row, term.name);
  // A run without the figure (no validation split, not finished) matches no comparison with it.
  if (actual === null) return false;
  const [x, y] = typeof term.value === 'number' && typeof actual === 'number' ? [actual, term.value] : [String(actual).toLowerCase(), String(term.value).toLowerCase()];
  if (typeof x !== typeof y) return false;
  switch (term.op) {
    case '=':
      return x === y;
    case '!=':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}

// ---------------------------------------------------------------------------------------------
// The query: filters, sort and page, as the page's URL, the API's query and the CLI's flags give it.

export type SortDirection = 'asc' | 'desc';

export interface RunQuery {
  status?: RunStatus;
  /** The dataset's name. */
  dataset?: string;
  /** `key` (has the tag) or `key=value`. */
  tag?: string;
  /** Text in the name, note, tags or `#id`. */
  q?: string;
  /** Parsed filter terms, all of which must hold. */
  where?: Term[];
  /** A metric, a param key or an alias; `created` when absent. */
  sort?: string;
  dir?: SortDirection;
  /** Also list archived runs (hidden by default). */
  archived?: boolean;
}

/** A sort key as given, in its current name, or undefined when no field has that name. */
export function sortKeyOf(raw: string, fields: { metrics: string[]; params: string[] }): string | undefined {
  const key = SORT_ALIASES[raw] ?? raw;
  return fields.metrics.includes(key) || fields.params.includes(key) || key in PARAM_ALIASES ? key : undefined;
}

function hasTag(tags: Record<string, string>, filter: string): boolean {
  const [key, value] = filter.split(/=(.*)/s);
  return key! in tags && (value === undefined || tags[key!] === value);
}

function matchesText({ run, tags }: RunListRow, q: string): boolean {
  const haystack = [`#${run.id}`, run.name, run.note, ...Object.entries(tags).map(([k, v]) => `${k}=${v}`)];
  return haystack.some((text) => text.toLowerCase().includes(q.toLowerCase()));
}

/** Filters and sorts; runs without the sorted value (no accuracy yet) go last either way, newest first among equals. */
export function selectRuns<T extends RunListRow>(rows: T[], query: RunQuery): T[] {
  const key = query.sort ?? 'created';
  const sign = query.dir === 'asc' ? 1 : -1;
  const sortValue = (row: RunListRow) => {
    const value = fieldValue(row, key);
    return typeof value === 'string' ? value.toLowerCase() : value;
  };
  return rows
    .filter(({ run }) => query.archived || run.archivedAt === null)
    .filter(({ run }) => !query.status || run.status === query.status)
    .filter(({ run }) => !query.dataset || run.dataset === query.dataset)
    .filter(({ tags }) => !query.tag || hasTag(tags, query.tag))
    .filter((row) => !query.q || matchesText(row, query.q))
    .filter((row) => (query.where ?? []).every((term) => holds(row, term)))
    .map((row) => ({ row, value: sortValue(row) }))
    .sort((a, b) => {
      const [x, y] = [a.value, b.value];
      if (x === null || y === null) return x === y ? b.row.run.id - a.row.run.id : x === null ? 1 : -1;
      return (x < y ? -1 : x > y ? 1 : 0) * sign || b.row.run.id - a.row.run.id;
    })
    .map(({ row }) => row);
}

export interface RunPage<T> {
  items: T[];
  /** 1-based, clamped to the pages there are. */
  page: number;
  pages: number;
  perPage: number;
}

/** One page of `rows`; a page past the end shows the last one. */
export function pageOf<T>(rows: T[], page: number, perPage: number): RunPage<T> {
  const pages = Math.max(1, Math.ceil(rows.length / perPage));
  const current = Math.min(Math.max(1, page), pages);
  return { items: rows.slice((current - 1) * perPage, current * perPage), page: current, pages, perPage };
}

// ---------------------------------------------------------------------------------------------
// Reading the rows: four queries for the whole store, so a list of a thousand runs stays quick.

type EpochRow = { run_id: number; loss: number; accuracy: number; val_loss: number | null; val_accuracy: number | null };

/** Every run (newest first) with its tags and kept epoch's figures. */
export function runListRows(db: Db): RunListRow[] {
  const tags = new Map<number, Record<string, string>>();
  const tagRows = db.$client.prepare('SELECT run_id, key, value FROM run_tags ORDER BY run_id, key').all() as { run_id: number; key: string; value: string }[];
  for (const { run_id, key, value } of tagRows) tags.set(run_id, { ...tags.get(run_id), [key]: value });
  const epochs = new Map<number, RunListRow['epoch']>();
  const epochRows = db.$client
    .prepare(
      `SELECT e.run_id, e.loss, e.accuracy, e.val_loss, e.val_accuracy FROM epoch_metrics e JOIN runs r ON r.id = e.run_id
       WHERE e.epoch = coalesce(r.kept_epoch, (SELECT max(epoch) FROM epoch_metrics m WHERE m.run_id = e.run_id))`,
    )
    .all() as EpochRow[];
  for (const e of epochRows) epochs.set(e.run_id, { loss: e.loss, accuracy: e.accuracy, valLoss: e.val_loss, valAccuracy: e.val_accuracy });
  const workerRows = db.$client
    .prepare('SELECT a.run_id, a.worker FROM run_attempts a JOIN runs r ON r.id = a.run_id AND a.attempt = r.attempts WHERE a.worker IS NOT NULL')
    .all() as { run_id: number; worker: string }[];
  const workers = new Map(workerRows.map((row) => [row.run_id, row.worker]));
  return listRuns(db).map((run) => ({ run, tags: tags.get(run.id) ?? {}, epoch: epochs.get(run.id) ?? null, worker: workers.get(run.id) ?? null }));
}

/** One run's row, for a list row that refreshes itself. */
export function runListRow(db: Db, run: Run): RunListRow {
  const history = epochHistory(db, run.id);
  const kept = history.find((e) => e.epoch === run.keptEpoch) ?? history.at(-1);
  const epoch = kept ? { loss: kept.loss, accuracy: kept.accuracy, valLoss: kept.valLoss, valAccuracy: kept.valAccuracy } : null;
  return { run, tags: runTagMap(db, run.id), epoch, worker: attemptWorker(db, run.id, run.attempts) };
}
