// Runs several CLI invocations in one child process, for tests that need the CLI somewhere vitest
// cannot be (inside a mount namespace) and cannot afford a tsx start-up per invocation.
// argv[2]: JSON {name: [args...]}; prints one JSON object {name: {code, stdout, stderr}}.
import { register } from 'tsx/esm/api';

register();
const { runCliCaptured } = await import('./cli.ts');
const results = {};
for (const [name, args] of Object.entries(JSON.parse(process.argv[2]))) {
  const { code, stdout, stderr } = await runCliCaptured(args);
  results[name] = { code, stdout, stderr };
}
process.stdout.write(JSON.stringify(results));
