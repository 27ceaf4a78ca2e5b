import { RUN_STATUSES, type RunStatus } from '../../db/schema.ts';
import { fieldNames, parseWhere, runListRows, selectRuns, sortKeyOf } from '../store/run-list.ts';
import { runListItem } from '../training/run-summary.ts';
import { UsageError, type Command, printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';

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
    where: { type: 'string', placeholder: 'EXPR', description: "only runs where every comparison holds, e.g. 'lr>=0.001 acc>0.98 model=reference' (params and metrics; = != < <= > >=)" },
    sort: { type: 'string', placeholder: 'NAME', description: 'sort by a metric or param, e.g. acc, val_acc, learningRate (default: newest first)' },
    asc: { type: 'boolean', description: 'sort ascending (default descending)' },
    archived: { type: 'boolean', description: 'also list archived runs' },
  },
  async run({ options }, context) {
    const db = openStoreFor(options, context, { onlyReads: true });
    let rows;
    try {
      rows = runListRows(db);
    } finally {
      db.$client.close();
    }
    // The same filter and sort as the /runs page and GET /api/runs.
    const fields = fieldNames(rows);
    const parsed = parseWhere(String(options.where ?? ''), fields);
    if (!parsed.ok) throw new UsageError(`--where: ${parsed.error}`);
    const sort = sortKeyOf(String(options.sort ?? 'created'), fields);
    if (!sort) throw new UsageError(`--sort must be a metric (${fields.metrics.join(', ')}) or a recorded param (${fields.params.join(', ')}); got '${options.sort}'`);
    const query = { status: options.status as RunStatus | undefined, where: parsed.terms, sort, dir: options.asc ? 'asc' : 'desc', archived: Boolean(options.archived) } as const;
    const items = selectRuns(rows, query).map(({ run, tags }) => ({ ...runListItem(run), tags, archivedAt: run.archivedAt?.toISOString() ?? null }));
    if (options.json) {
      printJson(context, { runs: items });
      return 0;
    }
    if (items.length === 0) {
      context.stdout.write(rows.length > 0 ? 'no runs match\n' : 'no runs yet: start one with `npx digitlab train`\n');
      return 0;
    }
    const header = ['id', 'name', 'status', 'test acc', 'test loss', 'backend', 'created'];
    const lines = items.map((r) => [
      String(r.id),
      r.name,
      r.status,
      r.testAccuracy?.toFixed(4) ?? '-',
      r.testLoss?.toFixed(4) ?? '-',
      r.backend ?? '-',
      r.createdAt.slice(0, 19).replace('T', ' '),
    ]);
    context.stdout.write(`${table([header, ...lines])}\n`);
    return 0;
  },
};
