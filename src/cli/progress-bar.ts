import type { BatchProgress, EpochResult } from '../training/train.ts';
import { formatDuration } from '../core/duration.ts';

const BAR_WIDTH = 24;

function progressLine(p: BatchProgress): string {
  const filled = Math.round((p.batch / p.batches) * BAR_WIDTH);
  const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
  return (
    `epoch ${p.epoch}/${p.epochs} [${bar}] ${p.batch}/${p.batches}` +
    `  loss ${p.loss.toFixed(4)}  acc ${p.accuracy.toFixed(4)}  ETA ${formatDuration(p.etaSeconds)}`
  );
}

/** An epoch as a line; a figure a tracked script did not log (null) is left out, not printed as 0. */
export function epochLine(e: Pick<EpochResult, 'epoch' | 'loss' | 'valLoss' | 'seconds'> & { accuracy: number | null; valAccuracy: number | null }, epochs: number): string {
  const figure = (name: string, value: number | null) => (value === null ? '' : `  ${name} ${value.toFixed(4)}`);
  return `epoch ${e.epoch}/${epochs}  loss ${e.loss.toFixed(4)}${figure('acc', e.accuracy)}${figure('val_loss', e.valLoss)}${figure('val_acc', e.valAccuracy)}  ${e.seconds.toFixed(1)}s`;
}

/**
 * On a terminal, a bar redrawn in place (at most ten times a second) with a line kept per epoch;
 * elsewhere (logs, CI) only the per-epoch lines.
 */
export function terminalReporter(stream: NodeJS.WritableStream & { isTTY?: boolean }, epochs: number) {
  let lastDraw = 0;
  return {
    onBatch(progress: BatchProgress) {
      if (!stream.isTTY) return;
      const now = Date.now();
      if (now - lastDraw < 100 && progress.batch !== progress.batches) return;
      lastDraw = now;
      stream.write(`\r\x1b[2K${progressLine(progress)}`);
    },
    onEpoch(result: EpochResult) {
      stream.write(`${stream.isTTY ? '\r\x1b[2K' : ''}${epochLine(result, epochs)}\n`);
    },
  };
}
