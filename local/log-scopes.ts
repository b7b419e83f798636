/**
 * Log attribution on the local lake, where the functions, the state machine and the stand-ins for AWS share one
 * process: each function invocation logs in a scope of its own (lib/invocation-scope.ts, `isolated` in
 * functions/*.ts); this module gives the same treatment to the ports the functions call into.
 *
 *  - Notifier (SNS): a notice is logged by the topic, under its own name and a message id of its own — not under
 *    the function or execution that published it (on AWS, SNS logs nothing under a Lambda's name either).
 *  - Workflow (Step Functions): an execution is started by an invocation but is not part of it; it runs outside
 *    the invocation's scope, so that the Glue run and the notices of one upload are never logged under the
 *    validateUpload request of that upload, or of another.
 */
import { outsideInvocations, runAs, type ScopeIdentity } from '../lib/invocation-scope';
import { logger } from '../lib/logger';
import { notifier, setNotifier, type Notifier } from '../lib/notify';
import { setWorkflow, workflow, type Workflow } from '../lib/workflow';

/** The SNS topic a notifier stands in for: NOTIFICATIONS_TOPIC_ARN (serverless.yml), its name as function name. */
export function topicIdentity(env: NodeJS.ProcessEnv = process.env): ScopeIdentity {
  const arn = env.NOTIFICATIONS_TOPIC_ARN || 'arn:aws:sns:local:000000000000:notifications';
  return { arn, functionName: arn.slice(arn.lastIndexOf(':') + 1) };
}

/** Publishes each notice in a scope of the topic's own. */
export function topicScopedNotifier(inner: Notifier, identity: ScopeIdentity = topicIdentity()): Notifier {
  return { publish: (notice, message) => runAs(logger, identity, () => inner.publish(notice, message)) };
}

/** Starts each execution outside the calling invocation's scope. */
export function detachedWorkflow(inner: Workflow): Workflow {
  return { startExecution: (name, input) => outsideInvocations(() => inner.startExecution(name, input)) };
}

/** Wraps the runtime's notifier and workflow (call once, after the functions' environment is applied). */
export async function scopeLocalPorts(): Promise<void> {
  setNotifier(topicScopedNotifier(notifier()));
  setWorkflow(detachedWorkflow(await workflow()));
}
