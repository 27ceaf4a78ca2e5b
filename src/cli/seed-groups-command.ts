import type { Command } from '../core/command.ts';
import { printJson } from '../core/command.ts';
import { openStoreFor } from '../store/open-store.ts';
import { listRuns } from '../store/store.ts';
import { seedGroups, type SeedGroup } from '../analysis/seed-groups.ts';
import { spreadText } from '../analysis/statistics/spread.ts';

const four = (v: number) => v.toFixed(4);

function groupText(group: SeedGroup): string {
  const params = Object.entries(group.params)
    .map(([key, value]) => `${key} ${JSON.stringify(value)}`)
    .join(', ');
  return [
    `runs ${group.runIds.join(', ')} (seeds ${group.seeds.join(', ')})`,
    `  ${params}`,
    `  test accuracy ${spreadText(group.testAccuracy, four)}   test loss ${spreadText(group.testLoss, four)}`,
  ].join('\n');
}

export const seedGroupsCommand: Command = {
  name: 'seed-groups',
  summary: 'completed runs that differ only in seed, with mean ± sd of their metrics',
  positionals: [],
  options: {},
  async run({ options }, context) {
    const db = openStoreFor(options, context, { onlyReads: true });
    try {
      // Oldest first, so groups and their runs read in the order they were made.
      const groups = seedGroups(db, listRuns(db).reverse()).filter((group) => group.runIds.length > 1);
      if (options.json) printJson(context, { groups });
      else if (groups.length === 0) context.stdout.write('no two completed runs differ only in seed: repeat a run with --seed N\n');
      else context.stdout.write(`${groups.map(groupText).join('\n\n')}\n`);
      return 0;
    } finally {
      db.$client.close();
    }
  },
};
