/**
 * Powertools' Logger, with two seams:
 * - a process may route every log line to a printer of its own instead of the JSON line Powertools prints. The
 *   local lake uses it for readable lines on a terminal (local/pretty-log.ts);
 * - with no printer (on AWS, in tests, `LOG_FORMAT=json`), a line whose attributes are plain JSON data (strings,
 *   numbers, booleans, null, plain arrays and objects) is stringified without Powertools' replacer, which JSON.stringify
 *   calls for every key and value (on a 100-event 'events accepted' line, its 100 ids: most of the line's CPU) and
 *   which returns such data unchanged: the same text. Anything else (an error, a bigint, a Date, a deep or circular
 *   tree) and any setup this does not know (a custom replacer, pretty indentation, another Powertools internals)
 *   goes to Powertools' own printLog. Either way the lines are Powertools' own, byte for byte
 *   (tests/unit/lake-logger.test.ts holds the two to the same text).
 */
import { Logger, LogLevelThreshold, type LogItem } from '@aws-lambda-powertools/logger';
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

/** Deepest nesting the plain-data check follows (a log line's attributes are shallow; deeper goes to Powertools). */
const MAX_PLAIN_DEPTH = 6;

/**
 * Whether `value` is plain JSON data, for which Powertools' replacer changes nothing: no Error (formatted), bigint
 * (written as text), object with a prototype of its own (a Date, a Map, a class) or tree deeper than MAX_PLAIN_DEPTH
 * (which could be circular: Powertools drops the cycle, JSON.stringify would throw).
 */
export function isPlainJsonData(value: unknown, depth = 0): boolean {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'undefined':
      return true;
    case 'object': {
      if (value === null) return true;
      if (depth >= MAX_PLAIN_DEPTH) return false;
      if (Array.isArray(value)) {
        if (Object.getPrototypeOf(value) !== Array.prototype) return false;
        for (let i = 0; i < value.length; i++) if (!isPlainJsonData(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in value)
        if (!isPlainJsonData((value as Record<string, unknown>)[k], depth + 1)) return false;
      return true;
    }
    default:
      return false;
  }
}

/** The console method Powertools prints each level with: its name, CRITICAL on console.error. */
const LEVEL_METHODS = new Map<number, string>([
  [LogLevelThreshold.TRACE, 'trace'],
  [LogLevelThreshold.DEBUG, 'debug'],
  [LogLevelThreshold.INFO, 'info'],
  [LogLevelThreshold.WARN, 'warn'],
  [LogLevelThreshold.ERROR, 'error'],
  [LogLevelThreshold.CRITICAL, 'error'],
]);

/** Powertools internals the fast line reads (TypeScript-private there, plain properties at run time). */
interface PrintInternals {
  console?: Partial<Record<string, (line: string) => void>>;
  logIndentation?: number;
}

export class LakeLogger extends Logger {
  /** Whether lines may skip Powertools' replacer: no custom replacer was given (it must see every value). */
  private readonly plainLines: boolean;

  constructor(options?: ConstructorOptions) {
    super(options);
    this.plainLines = options?.jsonReplacerFn === undefined;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (printer) {
      log.prepareForPrint();
      printer(log.getAttributes());
      return;
    }
    const internals = this as unknown as PrintInternals;
    // As Powertools' printLog: CRITICAL on console.error, every other level on its own method.
    const method = LEVEL_METHODS.get(logLevel);
    const write = method === undefined ? undefined : internals.console?.[method];
    if (this.plainLines && internals.logIndentation === 0 && typeof write === 'function') {
      log.prepareForPrint();
      const attributes = log.getAttributes();
      if (isPlainJsonData(attributes)) {
        write.call(internals.console, JSON.stringify(attributes));
        return;
      }
    }
    super.printLog(logLevel, log);
  }

  protected override createLogger(options?: ConstructorOptions): LakeLogger {
    return new LakeLogger(options);
  }
}
