import type { RunStatus } from '../../../db/schema.ts';

export const isActive = (status: RunStatus) => status === 'queued' || status === 'running';

export function StatusBadge({ status }: { status: RunStatus }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}
