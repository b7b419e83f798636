/**
 * The Glue job's row metrics (resources/glue/etl_job.py publish_row_metrics): EtlRowsWritten and EtlRowsRejected per
 * table in the DataLake namespace with the service/stage/table dimensions, and never a failed run because of them.
 * The packaged job passes --service and --stage (tests/template/policy.test.ts).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const script = path.resolve(__dirname, '../../resources/glue/etl_job.py');
const hasPython = spawnSync('python3', ['--version']).status === 0;
const withPython = hasPython ? it : it.skip;

const program = `
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("etl_job", sys.argv[1])
job = importlib.util.module_from_spec(spec); spec.loader.exec_module(job)
class Recorder:
    def __init__(self): self.calls = []
    def put_metric_data(self, **kw): self.calls.append(kw)
class Failing:
    def put_metric_data(self, **kw): raise RuntimeError("AccessDenied")
figures = [{"table": "orders", "rowsWritten": 7, "rowsRejected": 2}, {"table": "page_view", "rowsWritten": 0, "rowsRejected": 0}]
ok = Recorder()
sent = job.publish_row_metrics({"service": "data-lake", "stage": "prod"}, figures, ok)
failed = job.publish_row_metrics({"service": "data-lake", "stage": "prod"}, figures, Failing())
print(json.dumps({"sent": sent, "calls": ok.calls, "failed": failed, "none": job.publish_row_metrics({}, [], Failing())}))
`;

describe('resources/glue/etl_job.py row metrics', () => {
  withPython(
    'puts EtlRowsWritten/EtlRowsRejected per table to DataLake, and swallows a metrics failure',
    () => {
      const run = spawnSync('python3', ['-c', program, script], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      const lines = run.stdout.trim().split('\n');
      const out = JSON.parse(lines[lines.length - 1]!);
      expect(out.sent).toBe(4);
      expect(out.calls).toHaveLength(1);
      expect(out.calls[0].Namespace).toBe('DataLake');
      const dims = (table: string) => [
        { Name: 'service', Value: 'data-lake' },
        { Name: 'stage', Value: 'prod' },
        { Name: 'table', Value: table },
      ];
      expect(out.calls[0].MetricData).toEqual([
        { MetricName: 'EtlRowsWritten', Dimensions: dims('orders'), Value: 7, Unit: 'Count' },
        { MetricName: 'EtlRowsRejected', Dimensions: dims('orders'), Value: 2, Unit: 'Count' },
        { MetricName: 'EtlRowsWritten', Dimensions: dims('page_view'), Value: 0, Unit: 'Count' },
        { MetricName: 'EtlRowsRejected', Dimensions: dims('page_view'), Value: 0, Unit: 'Count' },
      ]);
      expect(out.failed).toBe(0); // printed a warning, did not raise
      expect(lines.some((l) => l.includes('row metrics not published'))).toBe(true);
      expect(out.none).toBe(0);
    },
  );
});
