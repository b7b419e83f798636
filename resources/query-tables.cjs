// The lake's table names for the functions in Lambda (where schemas/ is not on disk), resolved from schemas/ by
// lib/catalog/tables.ts when serverless.yml is:
//   LAKE_TABLES: ${file(resources/query-tables.cjs):names}   the query API's read-only guard: every table and the
//                                                            rejected store (lib/etl/rejected.ts),
//                                                            e.g. "order_placed,page_view,signup,customers,orders,lake_rejected"
//   LAKE_EVENT_TABLES: ${file(resources/query-tables.cjs):eventTables}      lib/catalog/table-names.ts
//   LAKE_DATASET_TABLES: ${file(resources/query-tables.cjs):datasetTables}
const { require: tsRequire } = require('tsx/cjs/api');

const tables = () => tsRequire('../lib/catalog/tables.ts', __filename).lakeTables();
const namesOf = (kind) =>
  tables()
    .filter((t) => t.kind === kind)
    .map((t) => t.name)
    .join(',');

module.exports = {
  names: () =>
    [...tables().map((t) => t.name), tsRequire('../lib/etl/rejected.ts', __filename).REJECTED_TABLE].join(
      ',',
    ),
  eventTables: () => namesOf('events'),
  datasetTables: () => namesOf('dataset'),
};
