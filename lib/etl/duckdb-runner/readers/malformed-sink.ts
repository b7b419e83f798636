/**
 * Rejected records that never became rows (a JSON line that does not parse, a CSV record of the wrong number of
 * fields), written to a JSON-lines file as the readers find them and then added to lake_malformed.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { NO_HIVE_PARTITIONS, sqlString } from '../../../duckdb-sql';
import { MAX_JSON_OBJECT_BYTES } from './json';

export interface Malformed {
  lake_source_file: string;
  reject_reason: string;
  raw_record: string;
}

export class MalformedSink {
  count = 0;
  longest = 0;
  private readonly out;
  constructor(readonly file: string) {
    this.out = createWriteStream(file);
  }
  async add(m: Malformed): Promise<void> {
    const line = JSON.stringify(m) + '\n';
    this.count++;
    this.longest = Math.max(this.longest, Buffer.byteLength(line));
    if (!this.out.write(line)) await once(this.out, 'drain');
  }
  close(): Promise<void> {
    return new Promise((resolve, reject) => this.out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  }
  /** Closes the file and adds its records to lake_malformed. */
  async closeInto(conn: DuckDBConnection): Promise<void> {
    await this.close();
    if (this.count === 0) return;
    await conn.run(
      `INSERT INTO lake_malformed SELECT lake_source_file, reject_reason, raw_record FROM read_json(` +
        `${sqlString(this.file)}, columns = {'lake_source_file': 'VARCHAR', 'reject_reason': 'VARCHAR', ` +
        `'raw_record': 'VARCHAR'}, format = 'newline_delimited', ` +
        `maximum_object_size = ${Math.max(MAX_JSON_OBJECT_BYTES, this.longest + 1024)}, ${NO_HIVE_PARTITIONS})`,
    );
  }
}
