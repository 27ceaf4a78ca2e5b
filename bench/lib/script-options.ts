/**
 * A bench script's flags, parsed and explained the way the CLI does a command's: `--help` prints
 * them and exits 0, an unknown flag or a bad value exits 2 with what is allowed.
 */
import { commandHelp, HELP_OPTION, parseCommandLine, UsageError, type OptionSpec, type OptionValues } from '../../src/experiments/cli/command.ts';

export interface BenchScript {
  /** The script's path from the repository root, e.g. bench/step-profile.ts. */
  file: string;
  /** What it measures, and any environment variable it reads. */
  summary: string;
  options: Record<string, OptionSpec>;
}

export function benchOptions(script: BenchScript, argv: string[] = process.argv.slice(2)): OptionValues {
  const command = { name: script.file, summary: script.summary, positionals: [], options: script.options };
  try {
    const { options } = parseCommandLine(command, argv, HELP_OPTION);
    if (options.help) {
      console.log(commandHelp(command, 'npx tsx', HELP_OPTION));
      process.exit(0);
    }
    return options;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`${script.file}: ${err.message}\n(see npx tsx ${script.file} --help)`);
    process.exit(2);
  }
}
