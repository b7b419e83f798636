/**
 * Leaving a CLI with its exit code once its output is out. On a pipe (`npm run executions -- <name> --history | jq`)
 * Node writes stdout asynchronously, a pipe's buffer (64 KiB) at a time: process.exit() right after a larger write
 * cut the output there, with exit status 0. The exit waits until what stdout and stderr were given is written.
 */
export function exitWhenWritten(code: number): void {
  let pending = 2;
  const written = () => {
    if (--pending === 0) process.exit(code);
  };
  // An empty write's callback runs once the writes queued before it are done (or have failed: a reader gone).
  process.stdout.write('', written);
  process.stderr.write('', written);
}

/**
 * A reader that has closed the pipe (`npm run compact | head -1`) is not the command's failure: its output is simply
 * no longer read, as a Unix tool takes SIGPIPE quietly. Anything else written to a closed stdout is still an error.
 */
export function quietWhenOutputClosed(): void {
  for (const stream of [process.stdout, process.stderr])
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
}
