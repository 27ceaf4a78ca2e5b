import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { BackendChoice } from '../training/backend.ts';
import { BACKEND_CHOICES } from '../training/backend.ts';
import { formatDuration } from '../core/duration.ts';
import { terminalReporter } from './progress-bar.ts';
import { UsageError, type Command, type CommandContext, printJson } from '../core/command.ts';
import { trainAndRecord, type RunEnding } from '../training/experiment.ts';
import type { Hyperparameters } from '../training/hyperparameters.ts';
import type { LabelCorrection } from '../store/label-issues-decisions.ts';
import { localBuiltInHashes } from '../data/datasets/catalogue.ts';
import { availableCores } from '../training/steppers.ts';
import { WorkerClient, WorkerRequestError } from '../execution/workers/client.ts';
import { HttpRecorder } from '../execution/workers/http-recorder.ts';
import { StopSignals } from '../execution/signal-policy.ts';
import { CANCELLED_BY_USER } from '../training/cancellation.ts';
import { TOKEN_OPTIONS, workerToken } from './worker-token.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'digitlab.js');

interface Claim {
  run: { id: number; name: string; params: Hyperparameters; attempt: number; labelDecisions?: LabelCorrection[] } | null;
  leaseMs?: number;
  heartbeatMs?: number;
  pollMs?: number;
}

interface WorkerSettings {
  client: WorkerClient;
  host: string;
  backend: BackendChoice | undefined;
  /** Cores a run may use when its params name no worker count (default: all of this machine's). */
  cores: number | undefined;
  context: CommandContext;
  /** Stopped by SIGINT (a cancel) or SIGTERM (an interruption): stop the run in training and take no more. */
  stops: StopSignals;
}

/**
 * Claims one run on a dataset this worker has; null when nothing such is queued. A dataset
 * mismatch or a bad token throws. `datasetHashes` stays MNIST's, as servers before datasets read it.
 */
async function claim(settings: WorkerSettings, hashes: Record<string, Record<string, string>>): Promise<Claim> {
  const { mnist, ...datasets } = hashes;
  return settings.client.postJson<Claim>('/api/workers/claim', { host: settings.host, datasetHashes: mnist, datasets });
}

/** Trains a claimed run through the one training path, recording it on the server. */
async function train(settings: WorkerSettings, claimed: NonNullable<Claim['run']>, heartbeatMs: number): Promise<RunEnding> {
  const { context } = settings;
  const controller = new AbortController();
  const stop = () => controller.abort(settings.stops.signal.reason);
  settings.stops.signal.addEventListener('abort', stop);
  const recorder = new HttpRecorder(settings.client, claimed.id, claimed.attempt, {
    heartbeatMs,
    onStop(reason, message) {
      if (!controller.signal.aborted) context.stderr.write(`run ${claimed.id}: ${reason === 'cancel' ? 'the server asks to stop' : message}; stopping after this batch\n`);
      controller.abort(reason === 'cancel' ? CANCELLED_BY_USER : `lost the run: ${message}`);
    },
  });
  recorder.startHeartbeat();
  try {
    const ending = await trainAndRecord(claimed.params, settings.stops.recorder(recorder), {
      backend: settings.backend,
      cores: settings.cores,
      labelDecisions: claimed.labelDecisions,
      signal: controller.signal,
      reporter: terminalReporter(context.stderr, claimed.params.epochs),
    });
    // Stopped because the server took the run away: no one cancelled it, and the server has ended it already.
    return recorder.lost && ending.status !== 'completed' ? { status: 'failed', error: `lost the run: ${recorder.lost}` } : ending;
  } finally {
    recorder.stopHeartbeat();
    settings.stops.signal.removeEventListener('abort', stop);
  }
}

/** One worker process's loop: claim, train, repeat (or once). Returns the exit code. */
async function workLoop(settings: WorkerSettings, once: boolean, json: boolean): Promise<number> {
  const { context } = settings;
  const datasetHashes = localBuiltInHashes();
  const trained: { runId: number; status: string }[] = [];
  let code = 0;
  while (!settings.stops.signal.aborted) {
    let claimed: Claim;
    try {
      claimed = await claim(settings, datasetHashes);
    } catch (err) {
      if (err instanceof WorkerRequestError) context.stderr.write(`digitlab worker: ${err.message}\n`);
      else context.stderr.write(`digitlab worker: ${(err as Error).message}\n`);
      code = 1;
      break;
    }
    if (!claimed.run) {
      if (once) {
        context.stderr.write('nothing is queued on the server\n');
        break;
      }
      await sleep(claimed.pollMs ?? 2000, undefined, { signal: settings.stops.signal }).catch(() => {});
      continue;
    }
    const run = claimed.run;
    const started = Date.now();
    context.stderr.write(`run ${run.id} (${run.name}) claimed, attempt ${run.attempt}, on ${settings.host}\n`);
    let ending: RunEnding;
    try {
      ending = await train(settings, run, claimed.heartbeatMs ?? 1000);
    } catch (err) {
      context.stderr.write(`run ${run.id}: could not report to the server: ${(err as Error).message}\n`);
      code = 1;
      break;
    }
    // Training knows only that it was stopped; the signal policy says whether that was an interruption.
    const status = ending.status === 'cancelled' && settings.stops.stopped?.kind === 'interrupt' ? 'interrupted' : ending.status;
    context.stderr.write(`run ${run.id} ${status} in ${formatDuration((Date.now() - started) / 1000)}${'error' in ending ? `: ${ending.error}` : ''}\n`);
    trained.push({ runId: run.id, status });
    if (ending.status !== 'completed') code = 1;
    if (once) break;
  }
  if (json) printJson(context, { host: settings.host, runs: trained });
  return code;
}

/** --slots N: N worker processes of one slot each, sharing the cores, so runs train in parallel. */
async function runSlots(argv: string[], slots: number, context: CommandContext, token: string): Promise<number> {
  const cores = String(Math.max(1, Math.floor(availableCores() / slots)));
  const children = Array.from({ length: slots }, () =>
    spawn(process.execPath, [BIN, 'worker', ...argv, '--slots', '1', '--cores', cores], { stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, DIGITLAB_TOKEN: token } }),
  );
  const exits = children.map((child, slot) => {
    createInterface({ input: child.stderr! }).on('line', (line) => context.stderr.write(`[slot ${slot + 1}] ${line}\n`));
    return new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  });
  const forward = (signal: NodeJS.Signals) => children.forEach((child) => child.kill(signal));
  const onInt = () => forward('SIGINT');
  const onTerm = () => forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return Math.max(...(await Promise.all(exits)));
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

/**
 * `digitlab worker`: trains queued runs of a digitlab server on this machine, reporting over
 * HTTP. It keeps no store of its own: everything it learns goes to the server.
 */
export const workerCommand: Command = {
  name: 'worker',
  summary: 'train queued runs of a remote digitlab server on this machine (no local store)',
  positionals: [],
  storeless: true,
  options: {
    server: { type: 'string', placeholder: 'URL', description: 'the digitlab server, e.g. http://lab-server:3000' },
    ...TOKEN_OPTIONS,
    slots: { type: 'integer', min: 1, max: 64, description: 'runs trained at once, each in its own process (default 1)' },
    cores: { type: 'integer', min: 1, max: 1024, description: 'cores a run may use when it names no thread count (default: all, shared among the slots)' },
    once: { type: 'boolean', description: 'train one run, then exit (what a batch job runs)' },
    backend: { type: 'choice', choices: BACKEND_CHOICES, description: 'training engine (default auto)' },
    'retry-for': { type: 'integer', min: 1, max: 86_400, placeholder: 'SECONDS', description: 'how long to keep retrying an unreachable server (default 600)' },
  },
  async run({ options }, context) {
    const server = options.server as string | undefined;
    if (!server || !/^https?:\/\/[^/]/.test(server)) throw new UsageError('--server must be the server\'s http:// or https:// URL');
    const token = workerToken(options, context.env);
    const slots = (options.slots as number | undefined) ?? 1;
    const retryFor = options['retry-for'] as number | undefined;
    if (slots > 1) {
      // Every flag but --slots and --cores (which runSlots decides) and the token (which goes in the environment).
      const argv = [
        ...['--server', server],
        ...(options.once ? ['--once'] : []),
        ...(options.backend ? ['--backend', options.backend as string] : []),
        ...(retryFor === undefined ? [] : ['--retry-for', String(retryFor)]),
      ];
      return runSlots(argv, slots, context, token);
    }
    const log = (line: string) => context.stderr.write(`${line}\n`);
    const stops = new StopSignals({
      stopping: (stop) =>
        log(`stopping: the run in training ends ${stop.kind === 'cancel' ? 'as cancelled' : "as interrupted (the server's --retry may queue it again)"} after this batch`),
    });
    const settings: WorkerSettings = {
      client: new WorkerClient(server, token, { log, retryForMs: retryFor === undefined ? undefined : retryFor * 1000, stop: stops.signal }),
      host: os.hostname(),
      backend: options.backend as BackendChoice | undefined,
      cores: options.cores as number | undefined,
      context,
      stops,
    };
    try {
      return await workLoop(settings, options.once === true, options.json === true);
    } finally {
      settings.stops.dispose();
    }
  },
};
