import type { Db } from '../../db/client.ts';
import { printJson } from '../core/command.ts';
import type { BackendChoice } from '../training/backend.ts';
import { CANCELLED_BY_USER } from '../training/cancellation.ts';
import { executeRun } from '../training/experiment.ts';
import type { Hyperparameters } from '../training/hyperparameters.ts';
import { runSummary } from '../training/run-summary.ts';
import { endRun, getRun, type Run } from '../store/store.ts';
import type { CommandContext, OptionValues } from '../core/command.ts';
import { formatDuration } from '../core/duration.ts';
import { terminalReporter } from './progress-bar.ts';

/** Recorded on a run whose `work` process outlived the server that started it. */
export const SERVER_GONE = 'cancelled: the server that started it exited';

const EXIT_CODES = { completed: 0, failed: 1, cancelled: 130 } as const;

/**
 * Trains a run this process has marked running (`train` creates it so, `work` claims a queued
 * one), reports it on stderr (and --json on stdout) and returns the exit code for how it ended.
 * SIGINT and SIGTERM both mean cancel, so Ctrl-C and the web queue's cancel behave alike: the
 * first stops cleanly after the current batch; a second one stops at once. Training and
 * evaluation run on worker threads or in short slices, so both are answered in every phase.
 * A process the queue spawned (`work`) also cancels itself when the server that spawned it is
 * gone, so that no orphan trains on unwatched.
 */
export async function trainClaimedRun(
  db: Db,
  run: Run,
  options: OptionValues,
  context: CommandContext,
  { queueWorker = false }: { queueWorker?: boolean } = {},
): Promise<number> {
  const controller = new AbortController();
  const interrupt = () => {
    if (!controller.signal.aborted) {
      context.stderr.write('\nstopping after this batch (Ctrl-C again to stop now)\n');
      controller.abort(CANCELLED_BY_USER);
      return;
    }
    endRun(db, run.id, 'cancelled', CANCELLED_BY_USER);
    if (options.json) printJson(context, runSummary(db, getRun(db, run.id)));
    process.exit(EXIT_CODES.cancelled);
  };
  // The queue gives its workers an IPC channel; it closes when the server exits, kill -9 included.
  // Only a queue worker's channel is ours to watch: any other (a test runner's fork has one) stays
  // as it was, since unref'ing it lets the process exit while its parent still talks to it.
  const serverChannel = queueWorker ? process.channel : undefined;
  const serverGone = () => controller.abort(SERVER_GONE);
  // The pipe our stderr goes to closes with the server, and a write to it must not crash the
  // process before the cancellation is recorded.
  const ignoreClosedStderr = () => {};
  if (serverChannel) {
    serverChannel.unref();
    process.stderr.on('error', ignoreClosedStderr);
    process.on('disconnect', serverGone);
  }
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const started = Date.now();
  try {
    const ended = await executeRun(db, run.id, {
      backend: options.backend as BackendChoice | undefined,
      signal: controller.signal,
      cores: options.cores as number | undefined,
      reporter: terminalReporter(context.stderr, (run.params as Hyperparameters).epochs),
    });
    const outcome =
      ended.status === 'completed'
        ? `test accuracy ${ended.testAccuracy!.toFixed(4)}, test loss ${ended.testLoss!.toFixed(4)}`
        : ended.error;
    context.stderr.write(
      `run ${ended.id} ${ended.status} in ${formatDuration((Date.now() - started) / 1000)} on ${ended.backend ?? '?'}: ${outcome}\n`,
    );
    if (options.json) printJson(context, runSummary(db, ended));
    return EXIT_CODES[ended.status as keyof typeof EXIT_CODES] ?? 1;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    process.off('disconnect', serverGone);
    process.stderr.off('error', ignoreClosedStderr);
  }
}
