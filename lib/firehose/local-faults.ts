/**
 * Fault injection of the local Firehose (LAKE_FAULTS, lib/faults.ts): records refused as Firehose refuses them, so
 * that producers' retries can be tested. Refused records are never written.
 */
import type { EventRecord } from '../envelope';
import type { FailedRecord } from './types';

export interface FaultOptions {
  /**
   * Share of records refused as Firehose refuses them under throttling (per-record ServiceUnavailableException;
   * refused records are not written). For testing producers' retries; default 0.
   */
  faultRate?: number;
  /**
   * Share of PutRecordBatch calls refused whole, as Firehose throttles a stream over its limits
   * (ThrottlingException: nothing of the call is written). For testing producers' retries; default 0.
   */
  throttleRate?: number;
  /** Random numbers for faultRate and throttleRate (tests). */
  random?: () => number;
  /** Called for each injected fault (lib/faults.ts counts and logs them). */
  onFault?: (fault: 'firehose.partial' | 'firehose.throttle', detail: Record<string, unknown>) => void;
}

/** The records to write, and those the injected faults refused. */
export function injectFaults(
  records: EventRecord[],
  opts: FaultOptions,
): { kept: EventRecord[]; refused: FailedRecord[] } {
  const random = opts.random ?? Math.random;
  const throttleRate = opts.throttleRate ?? 0;
  if (throttleRate > 0 && random() < throttleRate) {
    opts.onFault?.('firehose.throttle', { records: records.length });
    return {
      kept: [],
      refused: records.map((r, index) => ({
        index,
        id: r.id,
        errorCode: 'ThrottlingException',
        errorMessage: 'Rate exceeded for stream (injected)',
      })),
    };
  }
  const faultRate = opts.faultRate ?? 0;
  if (faultRate <= 0) return { kept: records, refused: [] };
  const kept: EventRecord[] = [];
  const refused: FailedRecord[] = [];
  for (const [index, r] of records.entries()) {
    if (random() < faultRate) {
      refused.push({
        index,
        id: r.id,
        errorCode: 'ServiceUnavailableException',
        errorMessage: 'Slow down. (injected)',
      });
    } else {
      kept.push(r);
    }
  }
  if (refused.length > 0) opts.onFault?.('firehose.partial', { refused: refused.length });
  return { kept, refused };
}
