/**
 * Where the ingest function records each request's outcome (./outcome.ts) for the statistics: per-type CloudWatch
 * metrics on AWS (./emf.ts), the local lake's store (./local-store.ts). Kept apart from the reading side
 * (./source.ts) so that the ingest bundle carries no CloudWatch client.
 */
import { lakeDir, runtime } from '../config';
import { EmfIngestTally } from './emf';
import { localIngestStats } from './local-store';
import type { IngestTally } from './types';

let current: IngestTally | undefined;

export function ingestTally(): IngestTally {
  current ??= runtime() === 'aws' ? new EmfIngestTally() : localIngestStats(lakeDir());
  return current;
}

/** For tests: record here instead (undefined: choose again on next use). */
export function setIngestTally(t: IngestTally | undefined): void {
  current = t;
}
