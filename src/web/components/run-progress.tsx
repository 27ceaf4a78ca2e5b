import type { Run } from '../../store/store.ts';
import type { BatchProgress } from '../../training/train.ts';
import { fixed, formatDuration, percent, plural } from '../format.ts';

/** Where a queued or running run is; nothing once it has ended. */
export function RunProgress({ run, queuedAhead }: { run: Run; queuedAhead: number }) {
  if (run.status === 'queued') {
    return (
      <p class="progress-text">
        Waiting in the queue{queuedAhead > 0 ? `, behind ${plural(queuedAhead, 'other run')}` : ''}.
      </p>
    );
  }
  if (run.status !== 'running') return '';
  const p = run.progress as BatchProgress | null;
  if (!p) return <p class="progress-text">{run.source === 'tracked' ? "Running: no batch reported by its script yet." : 'Starting: loading MNIST and the engine…'}</p>;
  const done = (p.epoch - 1 + p.batch / p.batches) / p.epochs;
  return (
    <div class="progress">
      <div class="bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(done * 100)}>
        <div class="fill" style={`width: ${(done * 100).toFixed(1)}%`}></div>
      </div>
      <p class="progress-text">
        Epoch <strong>{p.epoch}</strong> of {p.epochs} · batch {p.batch} of {p.batches} · loss {fixed(p.loss)} · accuracy{' '}
        {percent(p.accuracy)} · about {formatDuration(p.etaSeconds)} left
      </p>
    </div>
  );
}
