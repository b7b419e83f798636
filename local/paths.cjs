// Resolved by serverless.yml (${file(local/paths.cjs):lakeDir}) for stage `local`: the lake directory as an
// absolute path, so `sls invoke local` (which runs from .esbuild/.build) and `npm start` use the same lake.
const path = require('node:path');

module.exports.lakeDir = () => path.resolve(__dirname, '..', process.env.LAKE_DIR || '.lake');
