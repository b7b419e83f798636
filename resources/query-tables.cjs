// The lake's table names for the query API's read-only guard in Lambda (where schemas/ is not on disk), resolved
// from schemas/ by lib/catalog/tables.ts when serverless.yml is, and the rejected store (lib/etl/rejected.ts):
//   LAKE_TABLES: ${file(resources/query-tables.cjs):names}
//   e.g. "customers,order_placed,orders,page_view,signup,lake_rejected"
const { require: tsRequire } = require('tsx/cjs/api');

module.exports = {
  names: () =>
    [
      ...tsRequire('../lib/catalog/tables.ts', __filename)
        .lakeTables()
        .map((t) => t.name),
      tsRequire('../lib/etl/rejected.ts', __filename).REJECTED_TABLE,
    ].join(','),
};
