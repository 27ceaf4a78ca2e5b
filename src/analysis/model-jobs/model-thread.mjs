// Worker threads do not inherit the parent's TypeScript loader; register tsx's, then run the job.
import { register } from 'tsx/esm/api';

register();
await import('./model-thread.ts');
