/**
 * A bench script's flags, parsed and explained the way the CLI does a command's: `--help` prints
 * them and exits 0, an unknown flag or a bad value exits 2 with what is allowed.
 */
import { commandHelp, HELP_OPTION, parseCommandLine, UsageError, type OptionSpec, type OptionValues } from '../../src/core/command.ts';

export interface BenchScript {
  /** The script's path from the repository root, e.g. bench/step-profile.ts. */
  file: string;
  /** What it measures, and any environment variable it reads. */
  summary: string;
  options: Record<string, OptionSpec>;
}

export function benchOptions(script: BenchScript, argv: string[] = process.argv.slice(2)): OptionValues {
  const command = { name: script.file, summary: script.summary, positionals: [], options: script.options };
  const { options } = checkedUsage(script, () => parseCommandLine(command, argv, HELP_OPTION));
  if (options.help) {
    console.log(commandHelp(command, 'npx tsx', HELP_OPTION));
    process.exit(0);
  }
  return options;
}

/**
 * Runs `read`, which turns flag values into what the script uses (`--model` into a checked spec,
 * say), and exits 2 with the script's usage line if a value is bad, as the CLI would.
 */
export function checkedUsage<T>(script: Pick<BenchScript, 'file'>, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${script.file}: ${err.message}\n(see npx tsx ${script.file} --help)`);
    process.exit(2);
  }
}
