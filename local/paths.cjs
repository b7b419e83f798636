// Resolved by serverless.yml (${file(local/paths.cjs):lakeDir}) for stage `local`: the lake directory as an
// absolute path, so `sls invoke local` (which runs from .esbuild/.build) and `npm start` use the same lake.
const path = require('node:path');

// A LAKE_DIR given is from the folder the command was typed in (INIT_CWD, which npm and npx set: lib/config.ts
// fromWhereTyped), else the project's .lake.
module.exports.lakeDir = () =>
  process.env.LAKE_DIR
    ? path.resolve(process.env.INIT_CWD || path.resolve(__dirname, '..'), process.env.LAKE_DIR)
    : path.resolve(__dirname, '..', '.lake');
