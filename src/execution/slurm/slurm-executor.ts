import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq, inArray, isNotNull, notInArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { runs, workerTokens } from '../../../db/schema.ts';
import { getRun, type Run } from '../../store/store.ts';
import type { RunStore } from '../../store/run-store.ts';
import type { Executor, LostTrainer } from '../executor.ts';
import { endedRunsWithLiveJob, runsWithJob, runsWithoutJob } from '../../store/slurm-jobs.ts';
import { BUILT_IN_NAMES } from '../../data/datasets/catalogue.ts';
import { createToken } from '../../store/worker-tokens.ts';
import { describeState, isLiveState, jobStates, sbatch, scancel, SlurmCommandError, type JobState } from './slurm.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'digitlab.js');

/** Single-quoted for sh. */
const quoted = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

export interface SlurmExecutorOptions {
  db: Db;
  runs: RunStore;
  /** The URL a job's worker reaches this server at. */
  serverUrl: string;
  /** Passed to sbatch as they are: partition, time, CPUs, memory (e.g. --partition=gpu, --time=1:00:00). */
  slurmArgs: string[];
  /** Where the jobs' output goes, one file per job; compute nodes must be able to write there. */
  logDir: string;
  log: (line: string) => void;
}

/**
 * `serve --executor slurm`: every queued run becomes a Slurm batch job running
 * `digitlab worker --once` with a token that may claim only that run, so Slurm decides where and
 * when it trains. The job id is recorded on the run; lost() follows the jobs with squeue and
 * sacct and names the running runs whose job ended without reporting.
 */
export class SlurmExecutor implements Executor {
  private readonly submitting = new Set<number>();
  private reconciling = false;

  constructor(private readonly options: SlurmExecutorOptions) {
    mkdirSync(options.logDir, { recursive: true });
  }

  /** The queued runs that no job trains yet (label-audit folds train on the server's machine). */
  unsubmitted(): Run[] {
    // A job's worker has the built-in datasets only: a registered one's runs train on the server's machine.
    return runsWithoutJob(this.options.db, BUILT_IN_NAMES).filter((run) => !this.submitting.has(run.id));
  }

  submitQueued(): void {
    for (const run of this.unsubmitted()) {
      this.submitting.add(run.id);
      void this.submit(run).finally(() => this.submitting.delete(run.id));
    }
  }

  private async submit(run: Run): Promise<void> {
    const { db, runs: store, log } = this.options;
    const attempt = run.attempts + 1;
    const name = `slurm-run-${run.id}-attempt-${attempt}`;
    db.delete(workerTokens).where(eq(workerTokens.name, name)).run();
    const { token } = createToken(db, name, { runId: run.id });
    // The job's worker uses the CPUs Slurm gave it, not all of the node's.
    const script = [
      '#!/bin/sh',
      `exec ${quoted(process.execPath)} ${quoted(BIN)} worker --once --server ${quoted(this.options.serverUrl)} --cores "\${SLURM_CPUS_PER_TASK:-\${SLURM_CPUS_ON_NODE:-1}}"`,
      '',
    ].join('\n');
    const env: NodeJS.ProcessEnv = { ...process.env, DIGITLAB_TOKEN: token };
    delete env.DIGITLAB_DB;
    let jobId: string;
    try {
      jobId = await sbatch(script, [`--job-name=digitlab-run-${run.id}`, `--output=${path.join(this.options.logDir, `run-${run.id}-%j.out`)}`, ...this.options.slurmArgs], env);
    } catch (err) {
      db.delete(workerTokens).where(eq(workerTokens.name, name)).run();
      if (!(err instanceof SlurmCommandError)) throw err;
      await store.end(run.id, 'failed', `could not submit it to Slurm: ${err.message}`);
      log(`run ${run.id}: ${err.message}`);
      return;
    }
    const recorded = await store.recordSlurmJob(run.id, jobId);
    log(`run ${run.id} (${run.name}) submitted as Slurm job ${jobId}`);
    // Cancelled while sbatch ran: the job has nothing to train.
    if (!recorded) await this.scancel(jobId);
  }

  takes(run: Run): boolean {
    return run.slurmJobId !== null;
  }

  /** A queued run's job is cancelled with it; a running run's worker hears it at its heartbeat, and the job is cancelled too. */
  async cancel(run: Run): Promise<void> {
    if (!run.slurmJobId) return;
    if (run.status === 'queued') await this.options.runs.end(run.id, 'cancelled', `cancelled before it started (Slurm job ${run.slurmJobId} cancelled)`);
    else await this.options.runs.requestCancel(run.id);
    void this.scancel(run.slurmJobId);
  }

  private async scancel(jobId: string): Promise<void> {
    await scancel(jobId).catch((err: Error) => this.options.log(`scancel ${jobId}: ${err.message}`));
  }

  /**
   * Records each job's state on its run; fails a queued run whose job ended before claiming it,
   * and returns the running ones whose job ended without reporting (for settleLost).
   */
  async lost(): Promise<LostTrainer[]> {
    if (this.reconciling) return [];
    this.reconciling = true;
    try {
      const { db } = this.options;
      // A job's token may claim only its run: once the run has ended it is of no use to anyone.
      db.delete(workerTokens)
        .where(and(isNotNull(workerTokens.runId), notInArray(workerTokens.runId, db.select({ id: runs.id }).from(runs).where(inArray(runs.status, ['queued', 'running'])))))
        .run();
      const followed = runsWithJob(db);
      const ended = endedRunsWithLiveJob(db, isLiveState);
      const states = await jobStates([...followed, ...ended].map((run) => run.slurmJobId!));
      for (const run of ended) await this.recordState(run, states);
      const lost: LostTrainer[] = [];
      for (const { id } of followed) {
        const settled = await this.settle(getRun(db, id), states);
        if (settled) lost.push(settled);
      }
      return lost;
    } catch (err) {
      this.options.log(`cannot follow the Slurm jobs: ${(err as Error).message}`);
      return [];
    } finally {
      this.reconciling = false;
    }
  }

  /** Records the state squeue or sacct gave the run's job, when it changed. */
  private async recordState(run: Run, states: Map<string, JobState>): Promise<{ job: JobState; described: string }> {
    const job = states.get(run.slurmJobId!) ?? { state: 'UNKNOWN', reason: 'neither squeue nor sacct knows the job' };
    const described = describeState(job);
    if (described !== run.slurmState) await this.options.runs.recordSlurmState(run.id, described);
    return { job, described };
  }

  private async settle(run: Run, states: Map<string, JobState>): Promise<LostTrainer | undefined> {
    // Read again after squeue answered: a run that completed or was requeued meanwhile is not this job's any more.
    if ((run.status !== 'queued' && run.status !== 'running') || !run.slurmJobId) return undefined;
    const { job, described } = await this.recordState(run, states);
    if (isLiveState(job.state)) return undefined;
    const reason = `Slurm job ${run.slurmJobId} ended ${described} without reporting the run's end`;
    if (run.status === 'running') return { run, reason };
    await this.options.runs.end(run.id, 'failed', `${reason} (it never claimed the run; see ${path.join(this.options.logDir, `run-${run.id}-${run.slurmJobId}.out`)})`);
    this.options.log(`run ${run.id}: ${reason}`);
    return undefined;
  }
}
