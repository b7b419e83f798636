/**
 * A process that claims a lake folder as `npm start` does (lib/lake-presence.ts) and holds it until SIGTERM; run in
 * another pid namespace by tests/local/lake-presence.test.ts. Prints {"pid", "ns"} once it holds the folder.
 */
import { claimLakeDir, pidNamespace } from '../../lib/lake-presence';

async function main(): Promise<void> {
  const presence = await claimLakeDir(process.argv[2]!);
  process.stdout.write(`${JSON.stringify({ pid: process.pid, ns: pidNamespace() })}\n`);
  const keepAlive = setInterval(() => undefined, 1 << 30);
  process.once('SIGTERM', () => {
    clearInterval(keepAlive);
    void presence.stop().then(() => process.exit(0));
  });
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
