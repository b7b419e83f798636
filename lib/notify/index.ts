/** Chooses the notifier for the runtime: SNS on AWS, <LAKE_DIR>/notifications.jsonl on the local lake. */
import { SNSClient } from '@aws-sdk/client-sns';
import { lakeDir, requiredEnv, runtime } from '../config';
import { LocalNotifier } from './local';
import { SnsNotifier } from './sns';
import type { Notifier } from './types';

let current: Notifier | undefined;

export function notifier(): Notifier {
  current ??=
    runtime() === 'aws'
      ? new SnsNotifier(new SNSClient({}), requiredEnv('NOTIFICATIONS_TOPIC_ARN'))
      : new LocalNotifier(lakeDir());
  return current;
}

/** For tests: use this notifier instead of the runtime's (undefined: choose again on next use). */
export function setNotifier(n: Notifier | undefined): void {
  current = n;
}

export type { Notice, Notifier } from './types';
