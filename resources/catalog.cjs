// The Glue Data Catalog, generated from schemas/ by lib/catalog/glue.ts when serverless.yml is resolved:
//   resources: - ${file(resources/catalog.cjs):resources}      the database and one table per schema
//   ${file(resources/catalog.cjs):databaseName}                  e.g. data_lake_prod
//   ${file(resources/catalog.cjs):catalogArns}                   the catalog, database and table ARNs (IAM)
//   ${file(resources/catalog.cjs):tableLogicalIds}               the tables' logical ids (the Glue job's DependsOn)
const { require: tsRequire } = require('tsx/cjs/api');

const glue = () => tsRequire('../lib/catalog/glue.ts', __filename);

async function serviceAndStage({ resolveConfigurationProperty, resolveVariable }) {
  const service = await resolveConfigurationProperty(['service']);
  const stage = await resolveVariable('sls:stage');
  return { service: typeof service === 'object' ? service.name : service, stage };
}

module.exports = {
  resources: async (ctx) => glue().glueCatalogResources(await serviceAndStage(ctx)),
  databaseName: async (ctx) => {
    const { service, stage } = await serviceAndStage(ctx);
    return glue().glueDatabaseName(service, stage);
  },
  tableLogicalIds: async () => glue().glueTableLogicalIds(),
  catalogArns: async (ctx) => {
    const { service, stage } = await serviceAndStage(ctx);
    return glue().glueCatalogArns(service, stage);
  },
};
