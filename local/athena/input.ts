/**
 * Reading an operation's JSON input as Athena does: a body that is not a JSON object, or a member of the wrong JSON
 * type, is a SerializationException (with Athena's own words for each combination); then the model's constraints
 * (required members, lengths, ranges, patterns) are checked all at once and reported as one InvalidRequestException
 * "N validation errors detected: …", members in the model's order. `null` is taken as absent and unknown members
 * are ignored, as Athena does.
 */
import { serializationError, validationErrors } from './errors';

export type MemberSpec =
  | {
      type: 'string';
      required?: boolean;
      min?: number;
      max?: number;
      pattern?: string;
      /** The model's enum: another value fails the constraint. */
      enum?: readonly string[];
    }
  | { type: 'integer'; required?: boolean; min?: number; max?: number }
  | { type: 'boolean'; required?: boolean }
  | {
      type: 'strings';
      required?: boolean;
      min?: number;
      max?: number;
      /** Each member's constraints (the list's member shape in the model). */
      member?: { min?: number; max?: number; pattern?: string };
    }
  | { type: 'structure'; required?: boolean; members: Shape };

/** An operation's input members, in the model's order. */
export type Shape = Record<string, MemberSpec>;

/** The members of a checked input. */
export class Input {
  constructor(private readonly values: Record<string, unknown>) {}

  has(name: string): boolean {
    return this.values[name] !== undefined;
  }
  string(name: string): string | undefined {
    return this.values[name] as string | undefined;
  }
  boolean(name: string): boolean | undefined {
    return this.values[name] as boolean | undefined;
  }
  integer(name: string): number | undefined {
    return this.values[name] as number | undefined;
  }
  strings(name: string): string[] | undefined {
    return this.values[name] as string[] | undefined;
  }
  structure(name: string): Input | undefined {
    return this.values[name] as Input | undefined;
  }
}

const jsonKind = (v: unknown): string =>
  Array.isArray(v)
    ? 'list'
    : v === true
      ? 'TRUE_VALUE'
      : v === false
        ? 'FALSE_VALUE'
        : typeof v === 'number'
          ? 'NUMBER_VALUE'
          : typeof v === 'string'
            ? 'STRING_VALUE'
            : 'structure';

const START_OF = {
  list: 'Start of list found where not expected',
  structure: 'Start of structure or map found where not expected.',
};

/** The member's value in its model type, or a SerializationException as Athena words it. */
function convert(spec: MemberSpec, value: unknown, path: string, errors: string[]): unknown {
  const kind = jsonKind(value);
  switch (spec.type) {
    case 'string':
      if (typeof value === 'string') return value;
      throw serializationError(
        kind === 'list' || kind === 'structure' ? START_OF[kind] : `${kind} can not be converted to a String`,
      );
    case 'integer':
      // Athena truncates a fractional number (1.5 reads as 1).
      if (typeof value === 'number') return Math.trunc(value);
      throw serializationError(
        kind === 'list' || kind === 'structure'
          ? START_OF[kind]
          : `${kind} can not be converted to an Integer`,
      );
    case 'boolean':
      if (typeof value === 'boolean') return value;
      throw serializationError(
        kind === 'list' || kind === 'structure'
          ? START_OF[kind]
          : `${kind} can not be converted to a Boolean`,
      );
    case 'strings':
      if (!Array.isArray(value)) throw serializationError('Expected list or null');
      return value
        .filter((item) => item !== null)
        .map((item) => convert({ type: 'string' }, item, path, errors) as string);
    case 'structure':
      if (kind === 'list') throw serializationError(START_OF.list);
      if (kind !== 'structure') throw serializationError('Expected null');
      return readMembers(spec.members, value as Record<string, unknown>, `${path}.`, errors);
  }
}

const lowerCamel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

function constraints(spec: MemberSpec, value: unknown, at: string): string[] {
  const out: string[] = [];
  const fail = (constraint: string) =>
    out.push(`Value at '${at}' failed to satisfy constraint: ${constraint}`);
  if (spec.type === 'integer') {
    const n = value as number;
    if (spec.min !== undefined && n < spec.min)
      fail(`Member must have value greater than or equal to ${spec.min}`);
    if (spec.max !== undefined && n > spec.max)
      fail(`Member must have value less than or equal to ${spec.max}`);
  } else if (spec.type === 'string' || spec.type === 'strings') {
    const length = (value as string | string[]).length;
    if (spec.min !== undefined && length < spec.min)
      fail(`Member must have length greater than or equal to ${spec.min}`);
    if (spec.max !== undefined && length > spec.max)
      fail(`Member must have length less than or equal to ${spec.max}`);
    if (
      spec.type === 'string' &&
      spec.pattern &&
      !new RegExp(`^(?:${spec.pattern})$`, 'u').test(value as string)
    )
      fail(`Member must satisfy regular expression pattern: ${spec.pattern}`);
    if (spec.type === 'string' && spec.enum && !spec.enum.includes(value as string))
      fail(`Member must satisfy enum value set: [${spec.enum.join(', ')}]`);
    if (spec.type === 'strings' && spec.member) {
      // A member's failures, as AWS words a list member's: one constraint of the list naming them.
      const member = { type: 'string' as const, ...spec.member };
      const failed = new Set(
        (value as string[]).flatMap((item) =>
          constraints(member, item, at).map((m) => m.slice(m.indexOf(': ') + 2)),
        ),
      );
      if (failed.size) fail(`Member must satisfy constraint: [${[...failed].join(', ')}]`);
    }
  }
  return out;
}

function readMembers(shape: Shape, body: Record<string, unknown>, prefix: string, errors: string[]): Input {
  const values: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(shape)) {
    const at = prefix + lowerCamel(name);
    const raw = Object.prototype.hasOwnProperty.call(body, name) ? body[name] : undefined;
    if (raw === undefined || raw === null) {
      if (spec.required)
        errors.push(`Value null at '${at}' failed to satisfy constraint: Member must not be null`);
      continue;
    }
    const value = convert(spec, raw, at, errors);
    errors.push(...constraints(spec, value, at));
    values[name] = value;
  }
  return new Input(values);
}

/** The operation's input from the request body, checked against `shape`; throws Athena's error otherwise. */
export function readInput(body: Buffer, shape: Shape): Input {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw serializationError();
  }
  if (Array.isArray(parsed)) throw serializationError(START_OF.list);
  if (typeof parsed !== 'object' || parsed === null) throw serializationError();
  const errors: string[] = [];
  const input = readMembers(shape, parsed as Record<string, unknown>, '', errors);
  if (errors.length) throw validationErrors(errors);
  return input;
}
