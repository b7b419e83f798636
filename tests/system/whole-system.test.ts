/**
 * Whole-system proof (issue 7), sized for 2 cores: load, SIGKILL crashes, injected faults and files dropped in
 * parallel on the local lake; then every acknowledged id must be in the curated tables exactly once, nothing refused
 * may be, every quarantined file has its reason and every failed execution its notice. The same harness runs larger
 * under `npm run soak` (bench/soak.ts). Prints the counts it checked.
 */
import { FAULT_NAMES } from '../../lib/faults';
import { runSystemProof, SYSTEM_TEST_SETTINGS } from './harness';

it('loses and duplicates nothing under load, two SIGKILLs, injected faults and parallel file drops', async () => {
  const report = await runSystemProof({
    ...SYSTEM_TEST_SETTINGS,
    log: (l) => process.stderr.write(`  ${l}\n`),
  });
  process.stderr.write(
    `\nwhole-system proof: ${JSON.stringify({ counts: report.counts, faultsInjected: report.faultsInjected }, null, 1)}\n`,
  );
  expect(report.violations).toEqual([]);
  // The run must have exercised what it claims to prove (else the checks above would pass vacuously).
  const c = report.counts;
  expect(c.crashes).toBe(2);
  expect(c.connectionErrors).toBeGreaterThan(0); // the crashes cut requests off
  expect(c.idsAcknowledged).toBeGreaterThan(1000);
  expect(c.idsRefused).toBeGreaterThan(0);
  expect(c.deliveryFailed503).toBeGreaterThan(0);
  expect(c.batchesResent).toBeGreaterThan(0);
  expect(c.filesBad).toBeGreaterThan(0);
  expect(c.filesGood).toBeGreaterThan(3);
  expect(c.filesOverThreshold).toBeGreaterThan(0); // their executions fail, their good rows load
  expect(c.executionsFailed).toBeGreaterThan(0);
  expect(c.failureNotices).toBe(c.executionsFailed);
  // Every kind of fault was injected at least once (the shuffle needs two files ready at once: not always).
  for (const f of FAULT_NAMES.filter((n) => n !== 'uploads.shuffle'))
    expect(report.faultsInjected[f] ?? 0).toBeGreaterThan(0);
}, 300_000);
