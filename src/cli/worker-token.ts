import { readFileSync } from 'node:fs';
import { UsageError, type OptionSpec, type OptionValues } from '../core/command.ts';

/** The worker's ways to take its token; --token is kept for scripts, though any user can read it. */
export const TOKEN_OPTIONS: Record<string, OptionSpec> = {
  'token-file': { type: 'string', placeholder: 'PATH', description: 'read the token from this file (keep it readable only by you)' },
  token: { type: 'string', placeholder: 'TOKEN', description: 'the token itself; it shows in the process list (ps, /proc) to every user of this machine, so prefer $DIGITLAB_TOKEN or --token-file' },
};

/**
 * The worker token from --token-file, --token or $DIGITLAB_TOKEN (in that order). A token on the
 * command line is readable by anyone on the machine, so the file and the environment are the
 * ways the README shows.
 */
export function workerToken(options: OptionValues, env: NodeJS.ProcessEnv): string {
  const file = options['token-file'] as string | undefined;
  if (file !== undefined && options.token !== undefined) throw new UsageError('give --token or --token-file, not both');
  const token = file === undefined ? ((options.token as string | undefined) ?? env.DIGITLAB_TOKEN) : readTokenFile(file);
  if (!token) throw new UsageError('a token is required: $DIGITLAB_TOKEN or --token-file PATH (create one on the server with `digitlab token create`)');
  return token;
}

function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--token-file ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const token = text.trim();
  if (!token || /\s/.test(token)) throw new UsageError(`--token-file ${file} must hold one token (dlw_...) and nothing else`);
  return token;
}
