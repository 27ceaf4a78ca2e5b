import { UsageError, type Command, type CommandContext, printJson } from '../core/command.ts';
import { registerDataset } from '../data/datasets/catalogue.ts';
import { describeDatasets, describeRegistered, type DatasetDescription } from '../data/datasets/describe.ts';
import { openStoreFor } from '../store/open-store.ts';

/** A picture folder has a file per picture: past this many, the text lists only the first ones. */
const FILES_SHOWN = 8;

/** `digitlab datasets [add NAME PATH]`: the datasets the workbench knows, and registering another. */
export const datasetsCommand: Command = {
  name: 'datasets',
  summary: 'the datasets: splits, counts, image size, classes and their balance, source, sha256 of every file; add NAME PATH registers one',
  positionals: [
    { name: 'add', optional: true, description: 'register a dataset (without it: list them)' },
    { name: 'NAME', optional: true, description: 'the name to train it by: lower-case letters, digits, . _ -' },
    {
      name: 'PATH',
      optional: true,
      description: 'an IDX directory (train-images-idx3-ubyte, ... plain or .gz, optional classes.txt) or a picture folder (train/<class>/*.png|jpg, test/<class>/*.png|jpg)',
    },
  ],
  options: {},
  async run({ positionals, options }, context) {
    const [action, name, dir] = positionals;
    if (action !== undefined && (action !== 'add' || name === undefined || dir === undefined)) {
      throw new UsageError(`datasets takes no arguments (list) or add NAME PATH; got '${positionals.join(' ')}'`);
    }
    const db = openStoreFor(options, context, { onlyReads: action === undefined });
    try {
      if (action === 'add') {
        const { dataset, ignored, seconds } = registerDataset(db, name!, dir!);
        const described = describeRegistered(dataset);
        context.stderr.write(`registered '${dataset.name}' in ${seconds.toFixed(1)} s${ignored > 0 ? `; ${ignored} file(s) in class folders are not .png/.jpg/.jpeg and were left out` : ''}\n`);
        if (options.json) printJson(context, { registered: described });
        else writeDescription(context, described);
        return 0;
      }
      const datasets = describeDatasets(db);
      if (options.json) printJson(context, { datasets });
      else datasets.forEach((d, i) => writeDescription(context, d, i > 0));
      return 0;
    } finally {
      db.$client.close();
    }
  },
};

const share = (n: number, total: number) => `${((100 * n) / total).toFixed(1)}%`;

function writeDescription(context: CommandContext, d: DatasetDescription, gap = false): void {
  const origin = d.builtIn ? `built in${d.default ? ', the default' : ''}` : `registered ${d.registeredAt}`;
  const lines = [`${gap ? '\n' : ''}${d.name} (${origin}): ${d.kind === 'idx' ? 'IDX files' : 'picture folder'} in ${d.path}`];
  if (!d.splits) {
    lines.push(`  not readable here: ${d.problem}`);
    context.stdout.write(`${lines.join('\n')}\n`);
    return;
  }
  const { train, test } = d.splits;
  if (d.problem) lines.push(`  not readable now: ${d.problem}`);
  lines.push(`  ${d.imageSize.rows}x${d.imageSize.cols} greyscale, ${d.classes.length} classes; train ${train.count}, test ${test.count}`);
  const width = Math.max(5, ...d.classes.map((c) => c.length)) + 2;
  lines.push(`  ${'class'.padEnd(width)}${'train'.padStart(8)}${''.padStart(8)}${'test'.padStart(8)}`);
  d.classes.forEach((name, c) => {
    const [a, b] = [train.classCounts[c]!, test.classCounts[c]!];
    lines.push(`  ${name.padEnd(width)}${String(a).padStart(8)}${share(a, train.count).padStart(8)}${String(b).padStart(8)}${share(b, test.count).padStart(8)}`);
  });
  lines.push(`  sha256 of its ${d.files.length} file(s):`);
  for (const file of d.files.slice(0, FILES_SHOWN)) lines.push(`    ${file.sha256}  ${file.path}`);
  if (d.files.length > FILES_SHOWN) lines.push(`    ... and ${d.files.length - FILES_SHOWN} more (--json lists every one)`);
  context.stdout.write(`${lines.join('\n')}\n`);
}
