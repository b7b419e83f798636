/**
 * The ingest baseline: a bare Node http server that does only what durable ingestion cannot avoid — read each
 * request body and append it to ONE file with the local Firehose writer's fsync policy (group commit: the bodies
 * of concurrent requests are appended with one write + one fdatasync, and each request is answered 202 only after
 * the fsync covering it). No parsing, validation, routing or API Gateway emulation.
 *
 * Run as its own process (bench/ingest.ts starts it): PORT, BASELINE_FILE. Prints "listening on <url>".
 */
import { promises as fs } from 'node:fs';
import http from 'node:http';

interface Pending {
  body: Buffer;
  res: http.ServerResponse;
}

const RESPONSE = Buffer.from('{"accepted":true}');
const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'content-length': String(RESPONSE.length),
};
const NEWLINE = Buffer.from('\n');

async function main(): Promise<void> {
  const port = Number(process.env.PORT ?? 0);
  const file = process.env.BASELINE_FILE;
  if (!file) throw new Error('BASELINE_FILE is required');
  const fh = await fs.open(file, 'a');

  let queue: Pending[] = [];
  let writing = false;

  // One writer at a time; whatever arrived while it was writing goes out together in the next write + fsync.
  const pump = async () => {
    writing = true;
    try {
      while (queue.length > 0) {
        const batch = queue;
        queue = [];
        const data = Buffer.concat(batch.flatMap((p) => [p.body, NEWLINE]));
        try {
          let off = 0;
          while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
          await fh.datasync();
          for (const p of batch) p.res.writeHead(202, HEADERS).end(RESPONSE);
        } catch (e) {
          for (const p of batch) p.res.writeHead(503).end(String((e as Error).message));
        }
      }
    } finally {
      writing = false;
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      queue.push({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), res });
      if (!writing) void pump();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1', () => {
    const { port: actual } = server.address() as { port: number };
    process.stdout.write(`baseline listening on http://127.0.0.1:${actual}\n`);
  });

  const shutdown = () => {
    server.close();
    server.closeAllConnections();
    fh.close().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err) => {
  process.stderr.write(`baseline server failed: ${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
