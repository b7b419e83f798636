/**
 * Reading inputs into raw_input: the input files, the SQL segments they become, and what the readers share.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import type { EtlPlan } from '../../plan';
import type { InputFormat } from '../args';

export interface InputFile {
  key: string;
  file: string;
  format: InputFormat;
  gz: boolean;
}

export interface Segment {
  sql: string;
  /** CSV: the rejects table DuckDB fills with the lines it could not parse. */
  csvRejects?: {
    table: string;
    scan: string;
    key: string;
    /** The file read_csv read (gzip-compressed when gz), whose byte positions the rejects table gives. */
    file: string;
    gz: boolean;
  };
}

export interface ReadContext {
  conn: DuckDBConnection;
  plan: EtlPlan;
  rawDir: string;
  ingestedAt: string;
  workDir: string;
  seq: { n: number };
}
