import { printJson } from '../core/command.ts';
import type { BackendChoice } from '../training/backend.ts';
import { executeRun } from '../training/experiment.ts';
import type { Hyperparameters } from '../training/hyperparameters.ts';
import { runSummary } from '../training/run-summary.ts';
import { getRun, type Run } from '../store/store.ts';
import type { OpenStore } from '../store/open-store.ts';
import type { RunStatus } from '../../db/schema.ts';
import { StopSignals } from '../execution/signal-policy.ts';
import type { CommandContext, OptionValues } from '../core/command.ts';
import { formatDuration } from '../core/duration.ts';
import { terminalReporter } from './progress-bar.ts';

/** Recorded on a run whose `work` process outlived the server that started it. */
export const SERVER_GONE = 'cancelled: the server that started it exited';

const EXIT_CODES: Partial<Record<RunStatus, number>> = { completed: 0, failed: 1, cancelled: 130 };

/** 130 for a cancel, as a shell reports Ctrl-C; 1 for a failed run and one interrupted (queued again). */
const exitCodeOf = (status: RunStatus) => EXIT_CODES[status] ?? 1;

/**
 * Trains a run this process has marked running (`train` creates it so, `work` claims a queued
 * one), reports it on stderr (and --json on stdout) and returns the exit code for how it ended.
 * Signals follow the one policy (execution/signal-policy.ts): SIGINT cancels (Ctrl-C, and the web
 * queue's cancel), SIGTERM interrupts (requeued while `retries` last, else failed with the cause).
 * The first stops cleanly after the current batch; a second one stops at once. Training and
 * evaluation run on worker threads or in short slices, so both are answered in every phase.
 * A process the queue spawned (`work`) also cancels itself when the server that spawned it is
 * gone, so that no orphan trains on unwatched.
 */
export async function trainClaimedRun(
  store: OpenStore,
  run: Run,
  options: OptionValues,
  context: CommandContext,
  { queueWorker = false, retries = 0 }: { queueWorker?: boolean; retries?: number } = {},
): Promise<number> {
  const { db, runs } = store;
  const stops = new StopSignals({
    stopping: () => context.stderr.write('\nstopping after this batch (Ctrl-C again to stop now)\n'),
    again: async () => {
      const stop = stops.stopped!;
      // The run may have ended meanwhile (its ending was being recorded): then it stays as it ended.
      const current = getRun(db, run.id);
      if (current.status === 'running') {
        if (stop.kind === 'interrupt') await runs.loseAttempt(current, stop.reason, retries);
        else await runs.end(run.id, 'cancelled', stop.reason);
      }
      if (options.json) printJson(context, runSummary(db, getRun(db, run.id)));
      process.exit(exitCodeOf(getRun(db, run.id).status));
    },
  });
  // The queue gives its workers an IPC channel; it closes when the server exits, kill -9 included.
  // Only a queue worker's channel is ours to watch: any other (a test runner's fork has one) stays
  // as it was, since unref'ing it lets the process exit while its parent still talks to it.
  const serverChannel = queueWorker ? process.channel : undefined;
  const serverGone = () => stops.stop({ kind: 'cancel', reason: SERVER_GONE });
  // The pipe our stderr goes to closes with the server, and a write to it must not crash the
  // process before the cancellation is recorded.
  const ignoreClosedStderr = () => {};
  if (serverChannel) {
    serverChannel.unref();
    process.stderr.on('error', ignoreClosedStderr);
    process.on('disconnect', serverGone);
  }
  const started = Date.now();
  try {
    const ended = await executeRun(store, run.id, {
      backend: options.backend as BackendChoice | undefined,
      signal: stops.signal,
      cores: options.cores as number | undefined,
      reporter: terminalReporter(context.stderr, (run.params as Hyperparameters).epochs),
      recorder: (stored) => stops.recorder(stored),
      retries,
    });
    const outcome =
      ended.status === 'completed'
        ? `test accuracy ${ended.testAccuracy!.toFixed(4)}, test loss ${ended.testLoss!.toFixed(4)}`
        : ended.error;
    context.stderr.write(
      `run ${ended.id} ${ended.status} in ${formatDuration((Date.now() - started) / 1000)} on ${ended.backend ?? '?'}: ${outcome}\n`,
    );
    if (options.json) printJson(context, runSummary(db, ended));
    return exitCodeOf(ended.status);
  } finally {
    stops.dispose();
    process.off('disconnect', serverGone);
    process.stderr.off('error', ignoreClosedStderr);
  }
}
