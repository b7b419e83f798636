/**
 * The shapes of the lake's HTTP API the console reads: the query API (lib/query/api.ts), GET /tables
 * (lib/catalog/table-description.ts) and the console routes of issue 14 (executions, quarantine, ingest stats).
 * No DOM here: pure modules and tests import it too.
 */

// The query API: the server's own declarations (types only; nothing of the server is bundled).
import type { QueryStatus, ResultPage as ServerResultPage } from '../../../lib/query/types';
import type { ExactNumber } from './exact-number';
export type { QueryState, QueryStatus, ResultColumn } from '../../../lib/query/types';

/** A result cell as the console reads it: the server's, with an integer beyond a double kept as written. */
export type Cell = string | number | boolean | null | ExactNumber | Cell[] | { [k: string]: Cell };
export type ResultPage = Omit<ServerResultPage, 'rows'> & { rows: Cell[][] };

export type QueryAnswer = QueryStatus & Partial<ResultPage>;

// GET /tables: the server's own declarations (types only; nothing of the server is bundled).
export type {
  ColumnDescription,
  PartitionKeyDescription,
  TableDescription,
  TableListing,
} from '../../../lib/catalog/table-description';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionItem {
  name: string;
  status: ExecutionStatus;
  startDate: string;
  stopDate: string | null;
  durationMs: number | null;
  input: Record<string, unknown>;
}

export interface ExecutionPage {
  executions: ExecutionItem[];
  nextToken: string | null;
}

export type StateStatus = 'succeeded' | 'failed' | 'caught' | 'retried' | 'running';

export interface VisitedState {
  name: string;
  type: string;
  status: StateStatus;
  enteredAt: string;
  exitedAt: string | null;
  error?: string;
  cause?: string;
}

/** An Amazon States Language definition, as much of it as a drawing needs. */
export interface AslDefinition {
  StartAt: string;
  Comment?: string;
  States: Record<string, AslState>;
}

export interface AslState {
  Type: string;
  Comment?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string }[];
  Catch?: { ErrorEquals: string[]; Next: string }[];
  Retry?: unknown[];
}

export interface ExecutionDetail extends ExecutionItem {
  output: unknown;
  error: string | null;
  cause: string | null;
  figures: { rowsRead?: number; rowsWritten?: number; rowsRejected?: number } | null;
  states: VisitedState[];
  notices: { at: string; subject: string; code?: string }[];
  definition: AslDefinition;
}

export interface StartedExecution {
  name: string;
  startDate: string;
}

export interface QuarantinedUpload {
  key: string;
  dataset: string | null;
  quarantinedAt: string;
  size: number;
  reason: { code: string; message: string; field?: string };
}

export interface QuarantinePage {
  items: QuarantinedUpload[];
  nextToken: string | null;
}

export interface IngestStats {
  from: string;
  to: string;
  bucketMinutes: number;
  /** type: null for refused events whose type is not one of the lake's (schemas/api/IngestStats.json). */
  series: { start: string; type: string | null; accepted: number; refused: number }[];
  refusals: { at: string; type: string | null; code: string; field: string | null; message: string }[];
  delivery: { bufferedRecords: number; bufferedBytes: number; oldestBufferedAt: string | null } | null;
  notes?: string[];
}
