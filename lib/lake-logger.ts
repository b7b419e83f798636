/**
 * Powertools' Logger, with one seam: a process may route every log line to a printer of its own instead of the
 * JSON line Powertools prints. The local lake uses it for readable lines on a terminal (local/pretty-log.ts); with
 * no printer (on AWS, in tests, `LOG_FORMAT=json`) the lines are Powertools' own, byte for byte.
 */
import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';
import { ensureInvokeStore } from './invocation-scope';
import { usePlainEnvironmentInLambda } from './lambda-environment';

// Powertools reads the environment at every use: inside Lambda it reads a plain copy (lib/lambda-environment.ts).
usePlainEnvironmentInLambda();

// With AWS_LAMBDA_MAX_CONCURRENCY set, Powertools keeps each invocation's context in the runtime's store
// (lib/invocation-scope.ts), which must exist before any logger does.
ensureInvokeStore();

/** Receives each log line that passed the logger's level, as the attributes Powertools would print. */
export type LogPrinter = (attributes: Record<string, unknown>) => void;

let printer: LogPrinter | undefined;

/** Routes the log lines of every LakeLogger to `p` (undefined: back to Powertools' JSON lines). */
export function setLogPrinter(p: LogPrinter | undefined): void {
  printer = p;
}

export class LakeLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    if (!printer) return super.printLog(logLevel, log);
    log.prepareForPrint();
    printer(log.getAttributes());
  }

  protected override createLogger(options?: ConstructorOptions): LakeLogger {
    return new LakeLogger(options);
  }
}
