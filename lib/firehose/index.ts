/**
 * Chooses the delivery stream for the runtime: Firehose on AWS, the local Firehose writer on the local lake.
 * One instance per execution environment (cold start).
 */
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { lakeDir, localFirehoseSettings, requiredEnv, runtime } from '../config';
import { faults } from '../faults';
import { logger } from '../logger';
import { FirehoseEventStream } from './aws';
import { type CloseReport, LocalFirehose } from './local';
import type { EventStream } from './types';

let current: Promise<EventStream> | undefined;
let local: Promise<LocalFirehose> | undefined;

export function openLocalFirehose(): Promise<LocalFirehose> {
  if (!local) {
    const settings = localFirehoseSettings();
    // `sls invoke local` is a one-shot process: deliver each write at once so the lake shows it on return.
    const oneShot = process.env.IS_LOCAL === 'true' && !process.env.LAKE_SERVER;
    local = LocalFirehose.open({
      lakeDir: lakeDir(),
      streamName: settings.streamName,
      bufferBytes: settings.bufferBytes,
      bufferIntervalMs: oneShot ? 0 : settings.bufferIntervalMs,
      // Fault injection (LAKE_FAULTS, lib/faults.ts): off unless asked for.
      faultRate: faults().rate('firehose.partial'),
      throttleRate: faults().rate('firehose.throttle'),
      onFault: (fault, detail) => faults().count(fault, detail),
      onError: (err, context) => logger.error('local firehose delivery failed', { ...context, error: err }),
      onDelivered: (info) => logger.debug('delivered', info),
      onWarning: (message, context) => logger.warn(message, context),
      onAdopted: (info) =>
        logger.info(
          'delivering a write-ahead segment left by a writer that is gone (a crash or a kill): the events it ' +
            'acknowledged and had not delivered',
          info,
        ),
    });
  }
  return local;
}

export function eventStream(): Promise<EventStream> {
  if (!current) {
    current =
      runtime() === 'aws'
        ? Promise.resolve(
            new FirehoseEventStream(
              // Retries are ours (per failed entry, bounded for the API's latency budget), not the SDK's.
              new FirehoseClient({ maxAttempts: 1 }),
              requiredEnv('DELIVERY_STREAM_NAME'),
            ),
          )
        : openLocalFirehose();
    current.catch(() => (current = undefined));
  }
  return current;
}

/** Flushes and closes the local stream, if one was opened (graceful shutdown): what it delivered and left. */
export async function closeEventStream(): Promise<CloseReport | undefined> {
  const l = local;
  local = undefined;
  current = undefined;
  return l ? (await l).close() : undefined;
}

/** For tests: use this stream instead of the runtime's. */
export function setEventStream(stream: EventStream | undefined): void {
  current = stream ? Promise.resolve(stream) : undefined;
}
