/**
 * One rejected row, one text: the raw_record of a row that failed typing is written by DuckDB's
 * to_json(struct_pack(...)) locally and by Spark's to_json(struct(...)) on Glue (lib/etl/plan.ts rawRecordSql). Spark's
 * to_json writes through Jackson's JsonGenerator (JacksonGenerator: writeFieldName, writeString or writeNull per field,
 * from `new JsonFactory()` with its defaults); this test runs DuckDB on the plan's expression and Jackson itself on
 * the same values, for the characters where JSON writers differ (quotes, backslashes, control characters, '/',
 * non-ASCII, U+2028), and requires the same bytes.
 *
 * Jackson is found in /usr/share/java (Debian: libjackson2-core-java) or the local Maven repository; without it (or
 * a JDK) the comparison is skipped with a warning — DuckDB's text is still checked against the JSON it must parse to.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sqlString } from '../../lib/duckdb-sql';
import { rawRecordSql } from '../../lib/etl/plan';

const COLUMNS = ['event_id', 'note', 'missing', 'empty'];
const nasty = [
  'plain',
  'quote " and backslash \\ and slash / and </script>',
  Array.from({ length: 31 }, (_, i) => String.fromCharCode(i + 1)).join(''),
  'nul \u0000 inside',
  'del \u007f, é, €, 𝄞 😀, line sep \u2028 para sep \u2029, bom \ufeff',
  '{"already": "json"}',
  ' leading and trailing spaces ',
];

function jacksonJar(): string | undefined {
  const debian = '/usr/share/java/jackson-core.jar';
  if (existsSync(debian)) return debian;
  const repo = path.join(os.homedir(), '.m2/repository/com/fasterxml/jackson/core/jackson-core');
  if (!existsSync(repo)) return undefined;
  const versions = readdirSync(repo)
    .filter((v) => /^2\.\d+\.\d+$/.test(v))
    .sort((a, b) => {
      const [x, y] = [a, b].map((v) => v.split('.').map(Number));
      return x![1]! - y![1]! || x![2]! - y![2]!;
    });
  for (const v of versions.reverse()) {
    const jar = path.join(repo, v, `jackson-core-${v}.jar`);
    if (existsSync(jar)) return jar;
  }
  return undefined;
}

/** Spark's to_json of a struct of strings with null fields kept, as JacksonGenerator writes it. */
const SOURCE = `
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

public class ToJson {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String[] names = in.readLine().split(",");
    Base64.Decoder b64 = Base64.getDecoder();
    StringBuilder out = new StringBuilder();
    JsonFactory factory = new JsonFactory();
    for (String line; (line = in.readLine()) != null; ) {
      String[] values = line.split(" ", -1);
      StringWriter w = new StringWriter();
      JsonGenerator gen = factory.createGenerator(w).setRootValueSeparator(null);
      gen.writeStartObject();
      for (int i = 0; i < names.length; i++) {
        gen.writeFieldName(names[i]);
        if (values[i].equals("-")) gen.writeNull();
        else gen.writeString(new String(b64.decode(values[i]), StandardCharsets.UTF_8));
      }
      gen.writeEndObject();
      gen.close();
      out.append(Base64.getEncoder().encodeToString(w.toString().getBytes(StandardCharsets.UTF_8))).append('\\n');
    }
    System.out.print(out);
  }
}
`;

function jackson(jar: string, rows: (string | null)[][]): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'jackson-'));
  const file = path.join(dir, 'ToJson.java');
  writeFileSync(file, SOURCE);
  const input = [
    COLUMNS.join(','),
    ...rows.map((r) => r.map((v) => (v === null ? '-' : Buffer.from(v).toString('base64'))).join(' ')),
  ].join('\n');
  const out = execFileSync('java', ['-cp', jar, file], { input: input + '\n', maxBuffer: 1 << 24 });
  return out
    .toString()
    .split('\n')
    .filter(Boolean)
    .map((l) => Buffer.from(l, 'base64').toString('utf8'));
}

let conn: DuckDBConnection;
beforeAll(async () => {
  conn = await (await DuckDBInstance.create(':memory:')).connect();
});

/** A string literal (NUL characters, which no SQL literal can hold, as chr(0)). */
const literal = (v: string) => v.split('\u0000').map(sqlString).join(' || chr(0) || ');

/** DuckDB's raw_record (the plan's expression) for rows of raw text, in order. */
async function duckdb(rows: (string | null)[][]): Promise<string[]> {
  const values = rows
    .map((r, i) => `(${i}, ${r.map((v) => (v === null ? 'CAST(NULL AS VARCHAR)' : literal(v))).join(', ')})`)
    .join(', ');
  const reader = await conn.runAndReadAll(
    `SELECT ${rawRecordSql('duckdb', COLUMNS)} AS r FROM (VALUES ${values}) ` +
      `t(i, ${COLUMNS.map((c) => `raw_${c}`).join(', ')}) ORDER BY i`,
  );
  return reader.getRowsJS().map((r) => String(r[0]));
}

const rows = nasty.map((v, i) => [`e-${i}`, v, null, '']);

describe('raw_record: the same text from both engines', () => {
  it('DuckDB writes each raw value by column name, nulls included, compact', async () => {
    const texts = await duckdb(rows);
    texts.forEach((t, i) => {
      expect(JSON.parse(t)).toEqual({ event_id: `e-${i}`, note: nasty[i], missing: null, empty: '' });
      expect(t.startsWith('{"event_id":')).toBe(true);
    });
    // The escapes JSON writers differ on: short forms for \b \t \n \f \r, upper-case \u00XX for the other control
    // characters, '/' and non-ASCII (U+2028 too) as they are.
    expect(texts[1]).toContain('"quote \\" and backslash \\\\ and slash / and </script>"');
    expect(texts[2]).toContain('\\u0001');
    expect(texts[2]).toContain('\\b\\t\\n\\u000B\\f\\r');
    expect(texts[2]).toContain('\\u001F');
    expect(texts[4]).toContain('\u007f, é, €, 𝄞 😀, line sep \u2028 para sep \u2029');
  });

  const jar = jacksonJar();
  const java = spawnSync('java', ['-version']).status === 0;
  if (!jar || !java) {
    console.warn(
      'Jackson (libjackson2-core-java) or a JDK is missing: the comparison with what Spark writes is skipped',
    );
  }
  (jar && java ? it : it.skip)("Spark's writer (Jackson) gives the same bytes for the same row", async () => {
    expect(await duckdb(rows)).toEqual(jackson(jar!, rows));
  });

  it('names fields that are SQL keywords (position, values, offset, …) as it names the others', async () => {
    const names = ['position', 'values', 'offset', 'primary', 'real', 'precision', 'none'];
    const reader = await conn.runAndReadAll(
      `SELECT ${rawRecordSql('duckdb', names)} FROM (VALUES (${names.map((n) => sqlString(n)).join(', ')})) ` +
        `t(${names.map((n) => `raw_${n}`).join(', ')})`,
    );
    expect(JSON.parse(String(reader.getRowsJS()[0]![0]))).toEqual(
      Object.fromEntries(names.map((n) => [n, n])),
    );
  });

  it('the Spark expression names the same fields in the same order, null fields kept', () => {
    expect(rawRecordSql('spark', COLUMNS)).toBe(
      'CAST(to_json(struct(raw_event_id AS event_id, raw_note AS note, raw_missing AS missing, raw_empty AS empty), ' +
        "map('ignoreNullFields', 'false')) AS STRING)",
    );
  });
});
