// The entry of a function worker thread (local/function-workers.ts): TypeScript through tsx, as the lake itself
// (`node --import tsx` registers it in the workers too; under jest, it is registered here).
if (!require.extensions['.ts']) require('tsx/cjs/api').register();
require('./function-worker.ts');
