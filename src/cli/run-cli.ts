import { commandHelp, parseCommandLine, UsageError, type Command, type CommandContext, type OptionValues } from '../core/command.ts';
import { ERROR_KINDS, isKinded, UNEXPECTED } from '../core/errors.ts';
import { storeFailure } from '../store/open-store.ts';

function overview(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'digitlab: train, track and dissect MNIST digit classifiers\n',
    'usage: digitlab <command> [options]     (digitlab <command> --help for its options)\n',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
  ].join('\n');
}

/** Dispatches argv to a command; returns the exit code, on failure the one its error's kind maps to (src/core/errors.ts). */
export async function runCli(
  argv: string[],
  commands: Command[],
  context: CommandContext = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.stdout.write(`${overview(commands)}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!command) {
    context.stderr.write(`digitlab: unknown command '${name}'; commands: ${commands.map((c) => c.name).join(', ')}\n`);
    return 2;
  }
  let options: OptionValues = {};
  try {
    const args = parseCommandLine(command, rest);
    options = args.options;
    if (args.options.help) {
      context.stdout.write(`${commandHelp(command)}\n`);
      return 0;
    }
    return await command.run(args, context);
  } catch (thrown) {
    const err = storeFailure(thrown, options, context.env) ?? thrown;
    const help = err instanceof UsageError ? `\n(see digitlab ${name} --help)` : '';
    context.stderr.write(`digitlab ${name}: ${err instanceof Error ? err.message : String(err)}${help}\n`);
    return isKinded(err) ? ERROR_KINDS[err.kind].exitCode : UNEXPECTED.exitCode;
  }
}
