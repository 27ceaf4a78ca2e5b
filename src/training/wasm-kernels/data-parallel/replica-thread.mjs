// Worker threads do not inherit the parent's TypeScript loader; register tsx's, then run the replica.
import '../../../core/typescript-loader.mjs';

await import('./replica.ts');
