/**
 * The CloudFormation logical id of a table's AWS::Glue::Table: GlueTable + the name in PascalCase (page_view →
 * GlueTablePageView). Underscores are dropped, so two names that differ only in them (order_placed, order__placed)
 * share an id: loadLake refuses the second one, naming both tables and their files.
 */
export function glueTableLogicalId(table: string): string {
  return (
    'GlueTable' +
    table
      .split('_')
      .filter(Boolean)
      .map((p) => p[0]!.toUpperCase() + p.slice(1))
      .join('')
  );
}
