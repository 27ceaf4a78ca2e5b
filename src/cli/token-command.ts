import { UsageError, type Command, printJson } from '../core/command.ts';
import { openRunStoreFor } from '../store/open-store.ts';
import { createToken, listTokens } from '../store/worker-tokens.ts';

const ACTIONS = ['create', 'list', 'revoke'] as const;

/** `digitlab token create|list|revoke`: the bearer tokens remote workers present. */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'worker tokens: create (printed once), list, revoke NAME',
  positionals: [{ name: 'ACTION', description: 'create, list, or revoke NAME' }],
  // `revoke` takes a name: parsed here because positionals are fixed per command.
  options: {
    name: { type: 'string', placeholder: 'NAME', description: 'the token\'s name (create: default worker-N; revoke: which one)' },
  },
  async run({ positionals, options }, context) {
    const action = positionals[0] as (typeof ACTIONS)[number];
    if (!ACTIONS.includes(action)) throw new UsageError(`ACTION must be one of ${ACTIONS.join(', ')}; got '${positionals[0]}'`);
    const { db, runs } = openRunStoreFor(options, context);
    try {
      if (action === 'create') {
        const name = ((options.name as string | undefined) ?? `worker-${listTokens(db).length + 1}`).trim();
        if (!/^[\w.-]{1,64}$/.test(name)) throw new UsageError('--name must be 1 to 64 letters, digits, _ . -');
        const { token } = createToken(db, name);
        context.stderr.write(`token '${name}' created; it is shown only now, the store keeps its hash:\n`);
        if (options.json) printJson(context, { name, token });
        else context.stdout.write(`${token}\n`);
        return 0;
      }
      if (action === 'revoke') {
        const name = options.name as string | undefined;
        if (!name) throw new UsageError('token revoke needs --name NAME (see digitlab token list)');
        const ended = await runs.revokeToken(name);
        context.stderr.write(`token '${name}' revoked: workers using it are refused from now on${ended.length > 0 ? `; its run(s) ${ended.join(', ')} failed` : ''}\n`);
        if (options.json) printJson(context, { revoked: name, failedRuns: ended });
        return 0;
      }
      const tokens = listTokens(db).map((t) => ({ name: t.name, createdAt: t.createdAt.toISOString(), lastUsedAt: t.lastUsedAt?.toISOString() ?? null, runId: t.runId }));
      if (options.json) printJson(context, { tokens });
      else for (const t of tokens) context.stdout.write(`${t.name.padEnd(24)} created ${t.createdAt}  last used ${t.lastUsedAt ?? 'never'}\n`);
      return 0;
    } finally {
      db.$client.close();
    }
  },
};
