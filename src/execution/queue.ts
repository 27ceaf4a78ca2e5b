import { DomainError } from '../core/errors.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Db } from '../../db/client.ts';
import type { Hyperparameters } from '../training/hyperparameters.ts';
import { availableCores } from '../training/steppers.ts';
import { IdleLauncher } from '../core/thread-priority.ts';
import type { SlurmExecutor } from './slurm/slurm-executor.ts';
import { settleLost, type Executor, type LostTrainer } from './executor.ts';
import { TrackedScripts } from './tracking/tracked-scripts.ts';
import { RemoteWorkers } from './workers/remote-executor.ts';
import { CANCELLED_BY_USER } from '../training/cancellation.ts';
import { BUILT_IN_NAMES } from '../data/datasets/catalogue.ts';
import { deadTrainerReason, isRemotelyTrainable, getRun, listRuns, liveRunsHere, runsTrainingHere, trainerIsDead, type Run } from '../store/store.ts';
import type { RunStore } from '../store/run-store.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'digitlab.js');

/** A stopped worker gets this long to finish its batch and record the ending before it is killed. */
const STOP_GRACE_MS = 10_000;

/** A running run that some other process trains (a terminal's `digitlab train`): not ours to signal. */
export class RunNotOwnedError extends DomainError {
  readonly kind = 'conflict';
  constructor(readonly run: Run) {
    super(`run ${run.id} is trained by process ${run.pid ?? '?'} on ${run.host ?? '?'}, which this queue did not start; stop it there`);
  }
}

export interface RunQueueOptions {
  /** Where the queue reads runs; every write goes through `runs`. */
  db: Db;
  runs: RunStore;
  /** How many runs train at once (each in its own process). */
  maxConcurrent?: number;
  /** How often to look for runs queued by other processes sharing the database. */
  pollMs?: number;
  /** Where the workers' output lines and the queue's own notices go. */
  log?: (line: string) => void;
  /**
   * serve --executor slurm: queued runs go to Slurm as batch jobs; only label-audit folds, and runs
   * on a registered dataset (which a job's worker has not), train here.
   */
  slurm?: SlurmExecutor;
  /** How long stop() lets a signalled worker finish its batch before SIGKILL (default 10 s). */
  stopGraceMs?: number;
  /** serve --retry: times a run whose worker is interrupted (SIGTERM) is queued again before it is failed. */
  retries?: number;
  /** The chrt that puts workers under SCHED_IDLE (default: chrt on the PATH; tests name a missing one). */
  chrt?: string;
  /**
   * serve --run-priority: `idle` (the default) trains under SCHED_IDLE, on what the machine's other
   * work leaves, so pages never wait; `low` at nice 5, sharing the cores with other programs.
   */
  runPriority?: RunPriority;
}

export const RUN_PRIORITIES = ['idle', 'low'] as const;
export type RunPriority = (typeof RUN_PRIORITIES)[number];

/**
 * The database is the queue: runs wait as `queued` and start oldest first, each in a child
 * process (`digitlab work RUN`) that claims the run and writes its own results, so training never
 * runs in the caller's event loop. Until start() it only records: enqueue queues, cancel cancels.
 */
export class RunQueue {
  private readonly maxConcurrent: number;
  private readonly workers = new Map<number, ChildProcess>();
  private readonly cancelling = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  /** The executors besides this queue's own processes: a Slurm job per run, remote workers, scripts that track their own runs. */
  private readonly elsewhere: Executor[];
  private readonly launcher: IdleLauncher | null;

  constructor(private readonly options: RunQueueOptions) {
    this.maxConcurrent = options.maxConcurrent ?? 1;
    this.launcher = options.runPriority === 'low' ? null : new IdleLauncher((line) => this.log(line), options.chrt);
    this.elsewhere = [...(options.slurm ? [options.slurm] : []), new RemoteWorkers(options.db, options.runs), new TrackedScripts(options.db, options.runs)];
  }

  /** Starts queued runs as slots allow, and on every poll settles the runs whose trainer is gone (see settleLost). */
  start(): void {
    const { db } = this.options;
    if (db.$client.memory) throw new Error('the run queue needs a database file that its workers can open');
    this.timer = setInterval(() => {
      this.fill();
      void this.options.slurm?.lost().then((lost) => this.settleLost(lost));
    }, this.options.pollMs ?? 2000).unref();
    this.fill();
  }

  async enqueue(input: { name: string; params: Hyperparameters; tags?: Record<string, string> }): Promise<Run> {
    const run = await this.options.runs.create(input);
    this.fill();
    return run;
  }

  /**
   * A queued run is cancelled at once; one of our workers is signalled (SIGINT), and another
   * executor's trainer is told (a remote worker at its next heartbeat, a Slurm job scancelled):
   * each records the cancellation itself after its current batch. Returns the run as it now stands.
   */
  async cancel(runId: number): Promise<Run> {
    const { db, runs } = this.options;
    const run = getRun(db, runId);
    if (run.status !== 'queued' && run.status !== 'running') return run;
    const worker = this.workers.get(runId);
    if (worker) {
      // SIGINT is a person's cancel under the signal policy (SIGTERM would be an interruption).
      this.cancelling.add(runId);
      // Recorded as every executor records it, so the run's page says so until the worker ends the run.
      await runs.requestCancel(runId);
      worker.kill('SIGINT');
      return getRun(db, runId);
    }
    if (trainerIsDead(run)) {
      await runs.end(runId, 'failed', deadTrainerReason(run));
      return getRun(db, runId);
    }
    const executor = this.elsewhere.find((candidate) => candidate.takes(run));
    if (executor) await executor.cancel(run);
    else if (run.status === 'queued') await runs.end(runId, 'cancelled', 'cancelled before it started');
    else throw new RunNotOwnedError(run);
    return getRun(db, runId);
  }

  /**
   * Stops taking runs and stops the ones training, waiting until their workers have exited: with
   * SIGINT (the server's Ctrl-C) they are cancelled; with SIGTERM (the server was told to stop by
   * a service manager or scheduler) they are interrupted, so --retry queues them again.
   */
  async stop(signal: 'SIGINT' | 'SIGTERM' = 'SIGINT'): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    const exits = [...this.workers].map(([runId, worker]) => {
      const exited = new Promise<void>((resolve) => worker.once('close', () => resolve()));
      if (signal === 'SIGINT') this.cancelling.add(runId);
      worker.kill(signal);
      // A worker stuck in a long computation never gets to its next batch: SIGKILL it. Its
      // epochs are in the store already, and our close handler records how it ended.
      const force = setTimeout(() => worker.kill('SIGKILL'), this.options.stopGraceMs ?? STOP_GRACE_MS);
      return exited.finally(() => clearTimeout(force));
    });
    await Promise.all(exits);
  }

  /** Runs this host trained in a process that died, except our own workers, whose close handlers record their exits. */
  private lostHere(): LostTrainer[] {
    return runsTrainingHere(this.options.db)
      .filter((run) => !this.workers.has(run.id) && trainerIsDead(run))
      .map((run) => ({ run, reason: deadTrainerReason(run) }));
  }

  private async settleLost(lost: LostTrainer[]): Promise<void> {
    await settleLost(this.options.runs, lost, this.options.retries ?? 0, (line) => this.log(line)).catch((err: Error) =>
      this.log(`could not settle runs whose trainer is gone: ${err.message}`),
    );
  }

  private get started(): boolean {
    return this.timer !== undefined;
  }

  /** Settles our lost runs (which may requeue some), then starts queued runs as slots allow. */
  private fill(): void {
    if (!this.started) return;
    void this.settleLost(this.lostHere()).then(() => this.startQueued());
  }

  private startQueued(): void {
    if (!this.started) return;
    for (const executor of this.elsewhere) executor.submitQueued();
    while (this.training() < this.maxConcurrent) {
      // listRuns is newest first.
      const next = listRuns(this.options.db, { statuses: ['queued'] })
        .filter((run) => !this.workers.has(run.id) && !(this.options.slurm && isRemotelyTrainable(run) && BUILT_IN_NAMES.includes(run.dataset)))
        .at(-1);
      if (!next) return;
      this.startWorker(next);
    }
  }

  /**
   * Runs training on this host: our workers, and the live ones of other processes (an earlier
   * server's orphans until they notice, a terminal's `train`), which use the same cores.
   */
  private training(): number {
    return this.workers.size + liveRunsHere(this.options.db).filter((run) => !this.workers.has(run.id)).length;
  }

  private startWorker(run: Run): void {
    const dbFile = path.resolve(this.options.db.$client.name);
    // Each of the runs that may train at once gets an equal share of the cores.
    const cores = Math.max(1, Math.floor(availableCores() / this.maxConcurrent));
    const retry = String(this.options.retries ?? 0);
    // Under SCHED_IDLE, training (its replica threads too) gives a core to the server the moment a page
    // asks; at --run-priority low the worker only lowers itself to nice 5 (work-command.ts).
    const work = [BIN, 'work', String(run.id), '--db', dbFile, '--cores', String(cores), '--retry', retry];
    const [command, args] = this.launcher ? this.launcher.argv(process.execPath, work) : [process.execPath, work];
    const worker = spawn(command, args, {
      // The IPC channel tells the worker when we are gone, kill -9 included (see trainClaimedRun).
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.workers.set(run.id, worker);
    const lastLines: string[] = [];
    createInterface({ input: worker.stderr! }).on('line', (line) => {
      lastLines.push(line);
      if (lastLines.length > 3) lastLines.shift();
      if (line.trim()) this.log(`[run ${run.id}] ${line}`);
    });
    worker.on('error', (err) => this.log(`run ${run.id}: could not start its worker: ${err.message}`));
    worker.on('close', (code, signal) => {
      this.workers.delete(run.id);
      void this.settle(run, worker.pid, this.cancelling.delete(run.id), `${signal ?? `code ${code}`}: ${lastLines.join(' / ')}`)
        .catch((err: Error) => this.log(`run ${run.id}: could not record how its worker ended: ${err.message}`))
        .finally(() => this.fill());
    });
  }

  /** A worker that died before recording an ending (crash, kill) leaves it to us. */
  private async settle(spawned: Run, pid: number | undefined, cancelled: boolean, exit: string): Promise<void> {
    const runId = spawned.id;
    const run = getRun(this.options.db, runId);
    // Running under another pid: a second queue's worker claimed it; ours lost the race. Queued
    // after an attempt more than when spawned: our worker was interrupted and requeued it.
    const ours = (run.status === 'queued' && run.attempts === spawned.attempts) || (run.status === 'running' && run.pid === pid);
    if (!ours) return;
    if (cancelled) await this.options.runs.end(runId, 'cancelled', CANCELLED_BY_USER);
    else if (run.status === 'queued') await this.options.runs.end(runId, 'failed', `the training process exited (${exit}) before the run ended`);
    else await this.settleLost([{ run, reason: `the training process exited (${exit}) before the run ended` }]);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
