// Worker threads do not inherit the parent's TypeScript loader; register tsx's, then run the replica.
import { register } from 'tsx/esm/api';

register();
await import('./replica.ts');
