/**
 * What a local lake refuses of schemas/ now: the schema check's REFUSED lines, judged as the lake judges an edit
 * (against schemas/history/ and the versions the lake has used). The running lake keeps the schemas it accepted
 * before; a replay, rebuild or compaction asked for meanwhile is refused with these lines (the CLIs, POST
 * /executions), as `npm start` refuses to start.
 */
import { checkSchemas, formatReport } from './schema-check';
import { readSchemasInUse } from './schemas-in-use';
import { schemaFiles, schemasDir } from './tables';

export function refusedSchemaEdits(lakeDir: string, dir = schemasDir): string[] {
  const report = checkSchemas(dir, schemaFiles(dir), readSchemasInUse(lakeDir));
  return report.violations.length ? formatReport(report).filter((l) => l.startsWith('REFUSED')) : [];
}

/** The refusal's text: the lines, and what the lake does meanwhile (`lakeRunning`: a lake serves the folder). */
export const schemasRefusedMessage = (lines: string[], lakeRunning = true) =>
  `schemas/ has changes that are not safe:\n  ${lines.join('\n  ')}\n` +
  (lakeRunning
    ? '(the local lake refused them and runs on the schemas it accepted before: fix schemas/, then start the run)'
    : '(npm start refuses these schemas too; the lake keeps what it stored: fix schemas/, then start the run)');
