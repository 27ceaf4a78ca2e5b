// The composition root: the one module that sees every layer, so none of them imports another
// upward (cli, web -> analysis, execution -> training -> models -> data -> store, core -> db) to assemble the CLI.
import { COMMANDS } from './cli/commands.ts';
import type { CommandContext } from './core/command.ts';
import { runCli } from './cli/run-cli.ts';
import { WEB_COMMANDS } from './web/serve-command.ts';

export function main(argv: string[], context?: CommandContext): Promise<number> {
  return runCli(argv, [...COMMANDS, ...WEB_COMMANDS], context);
}
