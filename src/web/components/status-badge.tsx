import type { RunStatus } from '../../../db/schema.ts';

export const isActive = (status: RunStatus) => status === 'queued' || status === 'running';

export function StatusBadge({ status }: { status: RunStatus }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

/** Beside a completed run's status: its model answers one class for nearly everything (see degenerate-model.ts). */
export function DegenerateFlag({ reason }: { reason: string | null }) {
  return reason ? (
    <span class="badge badge-degenerate" title={reason}>
      degenerate
    </span>
  ) : (
    ''
  );
}
