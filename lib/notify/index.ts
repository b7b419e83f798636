/** Chooses the notifier for the runtime: SNS on AWS, <LAKE_DIR>/notifications.jsonl on the local lake. */
import { lakeDir, requiredEnv, runtime } from '../config';
import { LocalNotifier } from './local';
import type { Notifier } from './types';

let current: Notifier | undefined;

/**
 * The SNS client is loaded at first use, not at module init: validateUpload publishes only when it quarantines a
 * file, so an execution environment that only hands files over never loads it (its init is shorter by the load).
 */
function snsNotifier(): Notifier {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { SNSClient } = require('@aws-sdk/client-sns') as typeof import('@aws-sdk/client-sns');
  const { SnsNotifier } = require('./sns') as typeof import('./sns');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new SnsNotifier(new SNSClient({}), requiredEnv('NOTIFICATIONS_TOPIC_ARN'));
}

export function notifier(): Notifier {
  current ??= runtime() === 'aws' ? snsNotifier() : new LocalNotifier(lakeDir());
  return current;
}

/** For tests: use this notifier instead of the runtime's (undefined: choose again on next use). */
export function setNotifier(n: Notifier | undefined): void {
  current = n;
}

export type { Notice, Notifier } from './types';
