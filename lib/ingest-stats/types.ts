/**
 * Ingest statistics (GET /ingest/stats): events accepted and refused per event type over time, the latest
 * refusals, and the delivery stream's buffer. Each runtime records what it can and says what it cannot (`notes`).
 */

/** One refused event or request: the newest are listed. `type` null: no registered type could be read. */
export interface Refusal {
  at: string;
  type: string | null;
  code: string;
  field: string | null;
  message: string;
}

/** What one POST /events came to: events accepted and refused per type, and why they were refused. */
export interface IngestOutcome {
  at: Date;
  /** Events the delivery stream took, by type. */
  accepted: Map<string, number>;
  /** Events of a request refused as a whole (400 VALIDATION_FAILED and the like), by type ('' for none). */
  refused: Map<string, number>;
  refusals: Refusal[];
}

export interface SeriesPoint {
  start: string;
  type: string | null;
  accepted: number;
  refused: number;
}

export interface DeliveryState {
  bufferedRecords: number;
  bufferedBytes: number;
  oldestBufferedAt: string | null;
}

export interface StatsWindow {
  from: Date;
  to: Date;
  bucketMinutes: number;
}

export interface IngestStats {
  from: string;
  to: string;
  bucketMinutes: number;
  series: SeriesPoint[];
  refusals: Refusal[];
  delivery: DeliveryState | null;
  notes: string[];
}

/** How an outcome stands to the rest of its invocation's counts. */
export interface RecordOptions {
  /**
   * The invocation counts nothing but these accepted events (its EventsAccepted, a 202): a tally that writes
   * metrics may give that count its per-type dimension instead of counting the events again.
   */
  onlyAcceptedCount?: boolean;
}

/** Records outcomes as the ingest function sees them; never fails a request (problems are logged). */
export interface IngestTally {
  record(outcome: IngestOutcome, options?: RecordOptions): void;
}

export interface IngestStatsSource {
  read(window: StatsWindow): Promise<IngestStats>;
}

/** How many refusals a page lists at most. */
export const MAX_REFUSALS = 100;
