/** The Task states of a definition, and the handler that runs each. */
import { RESOURCE, type TaskHandler, type TaskHandlers } from './task-handlers';

interface TaskState {
  Type: string;
  Resource?: string;
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
