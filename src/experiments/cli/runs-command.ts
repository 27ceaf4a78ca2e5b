import { RUN_STATUSES, type RunStatus } from '../../../db/schema.ts';
import { runListItem } from '../run-summary.ts';
import { listRuns } from '../store.ts';
import type { Command } from './command.ts';
import { openStoreFor, printJson } from './store-option.ts';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  return rows.map((row) => row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd()).join('\n');
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list recorded runs, newest first',
  positionals: [],
  options: {
    status: { type: 'choice', choices: RUN_STATUSES, description: 'only runs with this status' },
  },
  async run({ options }, context) {
    const db = openStoreFor(options, context, { onlyReads: true });
    const statuses = options.status ? [options.status as RunStatus] : undefined;
    const items = listRuns(db, { statuses }).map(runListItem);
    db.$client.close();
    if (options.json) {
      printJson(context, { runs: items });
      return 0;
    }
    if (items.length === 0) {
      context.stdout.write('no runs yet: start one with `npx digitlab train`\n');
      return 0;
    }
    const header = ['id', 'name', 'status', 'test acc', 'test loss', 'backend', 'created'];
    const rows = items.map((r) => [
      String(r.id),
      r.name,
      r.status,
      r.testAccuracy?.toFixed(4) ?? '-',
      r.testLoss?.toFixed(4) ?? '-',
      r.backend ?? '-',
      r.createdAt.slice(0, 19).replace('T', ' '),
    ]);
    context.stdout.write(`${table([header, ...rows])}\n`);
    return 0;
  },
};
