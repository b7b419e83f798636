/**
 * java.util.regex, for real: what Spark's regexp_like / RLIKE answers (Pattern.compile(p).matcher(s).find(0), as
 * Spark 3.5's RLike evaluates it). Runs a small Java program with the JDK's source launcher (`java File.java`).
 * javaAvailable() says whether a JDK is installed; .ci/run installs one when it is missing, and under CI a missing
 * JDK is an error rather than a skip.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SOURCE = `
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

public class RLike {
  public static void main(String[] args) throws IOException {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Base64.Decoder b64 = Base64.getDecoder();
    StringBuilder out = new StringBuilder();
    for (String line; (line = in.readLine()) != null; ) {
      String[] parts = line.split(" ", -1);
      String p = new String(b64.decode(parts[0]), StandardCharsets.UTF_8);
      String s = new String(b64.decode(parts[1]), StandardCharsets.UTF_8);
      try {
        out.append(Pattern.compile(p).matcher(s).find(0) ? "1" : "0").append('\\n');
      } catch (Exception e) {
        out.append("E ").append(e.getMessage().replace('\\n', ' ')).append('\\n');
      }
    }
    System.out.print(out);
  }
}
`;

export function javaAvailable(): boolean {
  const r = spawnSync('java', ['-version']);
  const available = r.status === 0 && spawnSync('javac', ['-version']).status === 0;
  if (!available && process.env.CI)
    throw new Error('a JDK (java, javac) is required under CI: .ci/run installs it');
  return available;
}

/** Whether java.util.regex finds `pattern` in each input: one answer per [pattern, input] pair (an Error: refused). */
export function javaFind(pairs: [pattern: string, input: string][]): (boolean | Error)[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'java-regex-'));
  const file = path.join(dir, 'RLike.java');
  writeFileSync(file, SOURCE);
  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const input = pairs.map(([p, s]) => `${b64(p)} ${b64(s)}`).join('\n') + '\n';
  const out = execFileSync('java', [file], { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return out
    .split('\n')
    .slice(0, pairs.length)
    .map((l) => (l === '1' ? true : l === '0' ? false : new Error(l.slice(2))));
}
