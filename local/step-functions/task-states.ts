/** The Task states of a definition, and the handler that runs each. */
import { RESOURCE, type TaskHandler, type TaskHandlers } from './task-handlers';

interface TaskState {
  Type: string;
  Resource?: string;
  TimeoutSeconds?: unknown;
  States?: Record<string, TaskState>;
  Branches?: { States: Record<string, TaskState> }[];
  Iterator?: { States: Record<string, TaskState> };
  ItemProcessor?: { States: Record<string, TaskState> };
}

/** Task state name → Resource, through Parallel branches and Map iterators. */
export function taskStates(definition: { States: Record<string, unknown> }): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (states: Record<string, TaskState>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task') {
        const prev = out.get(name);
        if (prev !== undefined && prev !== s.Resource) {
          throw new Error(
            `two Task states are named ${name}; the local engine overrides tasks by state name`,
          );
        }
        out.set(name, String(s.Resource));
      }
      for (const b of s.Branches ?? []) visit(b.States);
      if (s.Iterator) visit(s.Iterator.States);
      if (s.ItemProcessor) visit(s.ItemProcessor.States);
    }
  };
  visit(definition.States as Record<string, TaskState>);
  return out;
}

export function handlerFor(handlers: TaskHandlers, resource: string): TaskHandler | undefined {
  if (handlers[resource]) return handlers[resource];
  if (/^arn:aws:lambda:[^:]*:[^:]*:function:/.test(resource)) return handlers[RESOURCE.lambdaFunction];
  return undefined;
}

/**
 * Task state name → its TimeoutSeconds (a number in the definition; TimeoutSecondsPath is not read). When it passes,
 * Step Functions fails the task with States.Timeout and stops a `.sync` job run (BatchStopJobRun); the local engine
 * stops the stand-in's run too (execution-run.ts), so that a run reported timed out does not go on and commit.
 */
export function taskTimeouts(definition: { States: Record<string, unknown> }): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (states: Record<string, TaskState>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task' && typeof s.TimeoutSeconds === 'number' && s.TimeoutSeconds > 0)
        out.set(name, s.TimeoutSeconds);
      for (const b of s.Branches ?? []) visit(b.States);
      if (s.Iterator) visit(s.Iterator.States);
      if (s.ItemProcessor) visit(s.ItemProcessor.States);
    }
  };
  visit(definition.States as Record<string, TaskState>);
  return out;
}
