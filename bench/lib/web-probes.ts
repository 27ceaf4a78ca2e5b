/**
 * The web probes of issue 15, run against `digitlab serve` of a checkout: fuzzed requests, Host and
 * CSRF attacks, kill -9 of the server while runs train, and page load while runs train. Each returns
 * the rows of the summary table; a probe the checkout has no route or flag for says "n/a".
 */
import Database from 'better-sqlite3';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawnServe, stopProcess } from '../../test/helpers/serve-process.ts';
import { seededRandom } from '../../src/core/random.ts';
import { processIsAlive } from '../../src/store/store.ts';

export type Row = [probe: string, figure: string];

export interface Target {
  /** The checkout whose bin/digitlab.js serves. */
  root: string;
  /** A scratch directory for stores. */
  scratch: string;
  /** A store with finished runs (ids 1-3) to fuzz, attack and show under load; copied, never written. */
  runsStore: string;
}

const REQUEST_TIMEOUT_MS = 60_000;
/** Small runs: what the kill and load probes train. */
const SMALL_RUN = { epochs: '2', 'train-limit': '2000', 'test-limit': '1000', 'validation-split': '0.2' };

interface Answer {
  status: number | 'timeout' | 'refused';
  body: string;
  ms: number;
}

interface Init {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** One request by node:http, which (unlike fetch) sends the Host header it is given and the path as it is. */
function send(base: string, requestPath: string, { method = 'GET', headers = {}, body }: Init = {}): Promise<Answer> {
  const start = performance.now();
  const { hostname, port } = new URL(base);
  return new Promise((resolve) => {
    let settled = false;
    const done = (status: Answer['status'], text = '') => {
      if (settled) return;
      settled = true;
      resolve({ status, body: text, ms: performance.now() - start });
    };
    try {
      const length = body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
      const request = http.request({ hostname, port, path: requestPath, method, headers: { ...length, ...headers }, timeout: REQUEST_TIMEOUT_MS }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => done(response.statusCode!, text));
        response.on('error', () => done('refused', text));
      });
      request.on('timeout', () => (request.destroy(), done('timeout')));
      request.on('error', () => done('refused'));
      request.end(body);
    } catch {
      done('refused'); // a path node:http will not send
    }
  });
}

/** A server on a copy of `store` (or a new store), with the processes it started, stopped by `stop`. */
async function startServer(target: Target, name: string, args: string[], store?: string) {
  const file = path.join(target.scratch, `${name}.sqlite`);
  if (store) copyFileSync(store, file);
  const { server, url, log } = await spawnServe(file, args, target.root);
  const host = new URL(url).host;
  const sameOrigin = { Origin: url.replace(/\/$/, ''), 'Sec-Fetch-Site': 'same-origin' };
  const stop = async () => {
    const children = childrenOf(server.pid!);
    await stopProcess(server);
    await killAll(children);
  };
  return { server, url, host, file, log, sameOrigin, stop };
}

/** The pids in /proc whose files `matches` reads as a match; a process that ends meanwhile is none. */
function processesWhere(matches: (pid: number) => boolean): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => {
      try {
        return matches(pid);
      } catch {
        return false;
      }
    });
}

/** Pids whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return processesWhere((child) => {
    const stat = readFileSync(`/proc/${child}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
  });
}

/** `work` processes training on `store`, whoever started them. */
function workersOf(store: string): number[] {
  return processesWhere((pid) => {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes('work') && argv.includes(store);
  });
}

async function killAll(pids: number[]): Promise<void> {
  for (const pid of pids) if (processIsAlive(pid)) process.kill(pid, 'SIGKILL');
  while (pids.some(processIsAlive)) await sleep(100);
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = 'application/x-www-form-urlencoded';

/** A stack trace or a source path in what a request got back. */
const LEAKS = /\n\s+at .+:\d+:\d+|node_modules\/|\/src\/\w+.*\.tsx?:\d+/;


const BAD_IDS = ['0', '-1', '4', '99999999999999999999999', '1e3', '0x1', 'abc', '%00', '..%2F..%2Fetc%2Fpasswd', '%3Cscript%3E', '1%3Bdrop%20table%20runs', '9'.repeat(400)];
const ID_ROUTES = [
  '/runs/ID', '/runs/ID/analysis', '/runs/ID/calibration', '/runs/ID/delete', '/runs/ID/epoch-confusion', '/runs/ID/gallery', '/runs/ID/live',
  '/runs/ID/robustness', '/runs/ID/row', '/runs/ID/why/test/ID', '/runs/ID/explain/test/ID.png', '/api/runs/ID', '/api/runs/ID/predictions',
  '/maps/run/ID.json', '/images/test/ID', '/images/test/ID.png', '/images/train/ID.png', '/sweeps/ID', '/sweeps/ID/results', '/label-issues/training-set/ID/panel',
];
const QUERY_PAGES = [
  '/runs?status=', '/runs?q=', '/runs?sort=', '/compare?a=', '/compare?b=1&a=', '/compare/cell?a=1&b=2&true=', '/compare/params?a=', '/api/compare?a=1&b=',
  '/dataset?split=', '/own-digits/scores?run=', '/label-issues?split=', '/api/runs?status=', '/images/test/1?run=', '/static/', '/static/..%2F..%2Fpackage.json',
];
const POST_ROUTES = [
  '/runs', '/runs/1/note', '/runs/1/tags', '/runs/1/cancel', '/runs/ID/delete', '/runs/1/robustness', '/compare/seeds', '/label-issues/training-set',
  '/label-issues/decide', '/models/check', '/own-digits', '/own-digits/read', '/own-digits/ID/delete', '/runs/import', '/sweeps',
];
const HOSTILE = ['<script>alert(1)</script>', "' OR 1=1 --", '../../../../etc/passwd', '\u0000\uffff\u202e', '%s%s%n', 'x'.repeat(100_000), '-1', '1e999', 'NaN', '99999999999999999999'];

/** About 500 requests: bad ids, hostile queries and bodies, malformed multipart, wrong content types, random paths. */
function fuzzRequests(): { path: string; init: Init }[] {
  const next = seededRandom(15);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const requests: { path: string; init: Init }[] = [];
  for (const route of ID_ROUTES) for (const id of BAD_IDS) requests.push({ path: route.replaceAll('ID', id), init: {} });
  for (const page of QUERY_PAGES) for (const value of HOSTILE.slice(0, 8)) requests.push({ path: `${page}${encodeURIComponent(value.slice(0, 3000))}`, init: {} });
  const bodies: [string, string][] = [
    ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="note"\r\n\r\nunterminated'],
    ['multipart/form-data', '--nobound\r\n\r\n'],
    ['multipart/form-data; boundary=a', '--a\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--a--'],
    ['application/json', '{"epochs": -1, "note": '],
    ['application/xml', '<run><epochs>1</epochs></run>'],
    ['text/plain', 'note=plain'],
    [FORM, 'epochs=0x2&train-limit=-5&note=%E0%A4%A&key=&value='],
    [FORM, `name=${encodeURIComponent(pick(HOSTILE))}&epochs=abc&tags=${encodeURIComponent('a=b\n=c\n'.repeat(50))}`],
  ];
  for (const route of POST_ROUTES) {
    for (const [type, body] of bodies) requests.push({ path: route.replaceAll('ID', pick(BAD_IDS)), init: { method: 'POST', headers: { 'Content-Type': type }, body } });
  }
  for (let i = 0; i < 60; i++) {
    const bytes = Array.from({ length: 1 + Math.floor(next() * 60) }, () => pick([...'abc/%.-_~:;[]{}<>0123456789', '%2e', '%ff', '//']));
    requests.push({ path: `/${bytes.join('')}`, init: { method: pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) } });
  }
  return requests;
}

export async function fuzzProbe(target: Target): Promise<Row[]> {
  const site = await startServer(target, 'fuzz', ['--max-concurrent', '1'], target.runsStore);
  let serverErrors = 0;
  let leaks = 0;
  let hung = 0;
  let stillAnswering = 0;
  let checks = 0;
  const requests = fuzzRequests();
  try {
    for (const [i, request] of requests.entries()) {
      const headers = { ...site.sameOrigin, ...request.init.headers };
      const answer = await send(site.url, request.path, { ...request.init, headers });
      if (typeof answer.status === 'number' && answer.status >= 500) {
        serverErrors++;
        console.log(`  ${answer.status} ${request.init.method ?? 'GET'} ${request.path.slice(0, 100)} ${request.init.headers?.['Content-Type'] ?? ''}`);
      }
      if (answer.status === 'timeout') hung++;
      if (LEAKS.test(answer.body)) leaks++;
      if (i % 50 === 49 || i === requests.length - 1) {
        checks++;
        if ((await send(site.url, `/healthz`)).status === 200) stillAnswering++;
      }
    }
  } finally {
    await site.stop();
  }
  const log = site.log();
  const loggedTraces = (log.match(/\n\s+at /g) ?? []).length;
  const firstTrace = log.search(/\n\s+at /);
  if (firstTrace >= 0) console.log(`  first logged trace:\n${log.slice(Math.max(0, log.lastIndexOf('\n', firstTrace - 1) - 200), firstTrace + 400)}`);
  return [
    ['fuzz: requests sent', String(requests.length)],
    ['fuzz: 5xx answers', String(serverErrors)],
    ['fuzz: bodies with a stack trace or source path', String(leaks)],
    ['fuzz: requests with no answer in 60 s', String(hung)],
    ['fuzz: stack-trace lines in the server log', String(loggedTraces)],
    ['fuzz: /healthz answered between batches', `${stillAnswering} of ${checks}`],
  ];
}

/** What an attack could change: runs, their statuses, notes and tags. */
function storeState(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    const runs = db.prepare("select group_concat(id || ':' || status || ':' || coalesce(note, ''), ',') from runs").pluck().get();
    const tags = db.prepare("select group_concat(run_id || key || value, ',') from run_tags").pluck().get();
    return JSON.stringify([runs, tags]);
  } finally {
    db.close();
  }
}

/** CPU seconds and threads of a process, from /proc. */
function processLoad(pid: number): { cpu: number; threads: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return { cpu: (fields[11]! + fields[12]!) / 100, threads: fields[17]! };
}

export async function hostCsrfProbe(target: Target): Promise<Row[]> {
  const site = await startServer(target, 'host', ['--max-concurrent', '1'], target.runsStore);
  const port = new URL(site.url).port;
  const evil = `evil.example:${port}`;
  const note = (text: string) => form({ note: text });
  const attacks: [string, string, Init][] = [
    ['foreign Host + matching Origin: save a note', '/runs/1/note', { method: 'POST', headers: { Host: evil, Origin: `http://${evil}`, 'Content-Type': FORM }, body: note('rebound') }],
    ['foreign Host + matching Origin: queue a run', '/runs', { method: 'POST', headers: { Host: evil, Origin: `http://${evil}`, 'Content-Type': FORM }, body: form({ ...SMALL_RUN, epochs: '1', 'train-limit': '100' }) }],
    ['foreign Host + matching Origin: add a tag', '/runs/2/tags', { method: 'POST', headers: { Host: evil, Origin: `http://${evil}`, 'Content-Type': FORM }, body: form({ key: 'rebound', value: 'yes' }) }],
    ['cross-site Origin: save a note', '/runs/1/note', { method: 'POST', headers: { Origin: 'https://evil.example', 'Content-Type': FORM }, body: note('cross-site') }],
    ['Sec-Fetch-Site cross-site, no Origin: save a note', '/runs/1/note', { method: 'POST', headers: { 'Sec-Fetch-Site': 'cross-site', 'Content-Type': FORM }, body: note('fetch-site') }],
    ['JSON content type: save a note', '/runs/1/note', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ note: 'json' }) }],
    ['JSON content type: queue a run', '/runs', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ epochs: 1 }) }],
    ['text/plain content type: save a note', '/runs/1/note', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'note=plain' }],
  ];
  const rows: Row[] = [];
  let changed = 0;
  try {
    for (const [what, route, init] of attacks) {
      const before = storeState(site.file);
      const answer = await send(site.url, route, init);
      await sleep(300);
      const didChange = storeState(site.file) !== before;
      if (didChange) changed++;
      rows.push([`host/csrf: ${what}`, `${answer.status}${didChange ? ', CHANGED DATA' : ', nothing changed'}`]);
    }
    const read = await send(site.url, `/runs`, { headers: { Host: evil } });
    rows.push(['host/csrf: foreign Host reads /runs (rebinding reads data)', `${read.status}${read.status === 200 ? ', SERVED' : ''}`]);
    rows.push(['host/csrf: attacks that changed data', `${changed} of ${attacks.length}`]);

    const cold = processLoad(site.server.pid!);
    const mapRoutes = ['/maps/run/1', '/maps/run/2', '/maps/run/3', '/maps/pixels'];
    let mapRoutesFound = 0;
    for (let i = 0; i < 16; i++) {
      const answer = await send(site.url, mapRoutes[i % 4]!, { headers: { 'Sec-Fetch-Site': 'cross-site' } });
      if (answer.status !== 404) mapRoutesFound++;
    }
    await sleep(10_000);
    const warm = processLoad(site.server.pid!);
    const rowName = 'host/csrf: 16 cross-site map GETs, server CPU in the next 10 s';
    rows.push([rowName, mapRoutesFound === 0 ? 'n/a (no map routes)' : `${(warm.cpu - cold.cpu).toFixed(1)} CPU s, threads ${cold.threads} -> ${warm.threads}`]);
  } finally {
    await site.stop();
  }
  return rows;
}

interface RunRow {
  id: number;
  status: string;
  pid: number | null;
  epochs: number;
}

function runRows(file: string): RunRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare('select id, status, pid, (select count(*) from epoch_metrics e where e.run_id = runs.id) as epochs from runs order by id')
      .all() as RunRow[];
  } finally {
    db.close();
  }
}

async function queueRuns(site: Awaited<ReturnType<typeof startServer>>, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const answer = await send(site.url, `/runs`, { method: 'POST', headers: { ...site.sameOrigin, 'Content-Type': FORM }, body: form({ ...SMALL_RUN, seed: String(i + 1) }) });
    if (answer.status !== 303) throw new Error(`queueing a run answered ${answer.status}: ${answer.body.slice(0, 300)}`);
  }
}

async function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

export async function killProbe(target: Target): Promise<Row[]> {
  const limit = 2;
  const site = await startServer(target, 'kill', ['--max-concurrent', String(limit)]);
  const file = site.file;
  let second: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    await queueRuns(site, 3);
    await waitFor('two runs training, one with an epoch kept', () => {
      const rows = runRows(file);
      return rows.filter((r) => r.status === 'running').length === limit && rows.some((r) => r.status === 'running' && r.epochs > 0);
    }, 600_000);
    const atKill = runRows(file);
    const killedAt = performance.now();
    site.server.kill('SIGKILL');
    await new Promise((resolve) => site.server.on('exit', resolve));
    second = await startServer(target, 'kill', ['--max-concurrent', String(limit)]);
    let maxTraining = 0;
    let staleUntil: number | null = null;
    const trainingPids = new Set<number>();
    for (;;) {
      const workers = workersOf(file);
      workers.forEach((pid) => trainingPids.add(pid));
      maxTraining = Math.max(maxTraining, workers.length);
      const rows = runRows(file);
      const stale = rows.some((r) => r.status === 'running' && r.pid !== null && !processIsAlive(r.pid));
      const orphaned = rows.some((r) => r.status === 'running' && atKill.some((k) => k.id === r.id && k.status === 'running'));
      if (!stale && !orphaned && staleUntil === null) staleUntil = performance.now();
      if (rows.every((r) => !['queued', 'running'].includes(r.status)) || performance.now() - killedAt > 600_000) break;
      await sleep(250);
    }
    const end = runRows(file);
    const killedRuns = atKill.filter((r) => r.status === 'running');
    const kept = killedRuns.filter((r) => (end.find((e) => e.id === r.id)?.epochs ?? 0) >= r.epochs).length;
    return [
      ['kill -9: runs training at the kill (epochs logged)', killedRuns.map((r) => `${r.id} (${r.epochs})`).join(', ')],
      ['kill -9: s until no run of the killed server shows running', staleUntil === null ? 'never (600 s)' : ((staleUntil - killedAt) / 1000).toFixed(1)],
      [`kill -9: most work processes at once (limit ${limit})`, String(maxTraining)],
      ['kill -9: killed runs that kept their epochs', `${kept} of ${killedRuns.length}`],
      ['kill -9: statuses at the end', end.map((r) => `${r.id} ${r.status}`).join(', ')],
    ];
  } finally {
    await second?.stop();
    if (site.server.exitCode === null && site.server.signalCode === null) await site.stop();
    await killAll(workersOf(file));
  }
}

/**
 * What a person opens while two runs train: the runs list, the pages of a training run (its live
 * fragment is what the open page polls), the JSON, a completed run's page and a comparison of two
 * completed runs (the runs store's 1 and 2).
 */
const loadPages = ([a, b]: number[]) =>
  ['/', '/runs', `/runs/${a}`, `/runs/${b}`, `/runs/${a}/live`, '/api/runs', `/api/runs/${a}`, '/healthz', '/runs/1', '/compare?runs=1,2'];

export async function loadProbe(target: Target): Promise<Row[]> {
  const site = await startServer(target, 'load', ['--max-concurrent', '2'], target.runsStore);
  try {
    await queueRuns(site, 2);
    const training = await waitFor('two runs training', () => {
      const ids = runRows(site.file).filter((r) => r.status === 'running').map((r) => r.id);
      return ids.length === 2 && ids;
    }, 600_000);
    const pages = loadPages(training);
    const latencies: number[] = [];
    const byPage = new Map<string, number[]>(pages.map((page) => [page, []]));
    let errors = 0;
    let next = 0;
    const total = 600;
    const client = async () => {
      while (next < total) {
        const page = pages[next++ % pages.length]!;
        const answer = await send(site.url, page);
        latencies.push(answer.ms);
        byPage.get(page)!.push(answer.ms);
        if (typeof answer.status !== 'number' || answer.status >= 400) errors++;
      }
    };
    const start = performance.now();
    await Promise.all([client(), client(), client(), client()]);
    const seconds = (performance.now() - start) / 1000;
    const stillTraining = runRows(site.file).filter((r) => r.status === 'running').length;
    const at = (values: number[], q: number) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!)}`;
    };
    return [
      ['load: page requests (4 at a time) while 2 runs train', `${total} in ${seconds.toFixed(1)} s; ${stillTraining} run(s) still training at the end`],
      ['load: latency p50 / p95 / max, ms', `${at(latencies, 0.5)} / ${at(latencies, 0.95)} / ${Math.round(Math.max(...latencies))}`],
      ['load: p50 by page, ms', [...byPage].map(([page, ms]) => `${page} ${at(ms, 0.5)}`).join(', ')],
      ['load: errors (4xx/5xx or no answer)', String(errors)],
    ];
  } finally {
    await site.stop();
    await killAll(workersOf(site.file));
  }
}
