// Registers tsx's TypeScript loader with this checkout's tsconfig named explicitly. tsx otherwise
// reads the tsconfig of the current folder, so a `serve` started elsewhere (npx --prefix, a global
// install, `node /path/bin/digitlab.js`) compiled JSX for React and every page failed.
// Worker threads do not inherit the parent's loader, so each thread entry imports this first.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)) });
