// Worker threads do not inherit the parent's TypeScript loader; register tsx's, then run the job.
import '../core/typescript-loader.mjs';

const { serveImportedModelRead } = await import('./imported-runs.ts');
await serveImportedModelRead();
