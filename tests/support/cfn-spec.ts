/**
 * Validates a CloudFormation template against AWS's CloudFormation resource specification, as maintained in
 * `@aws-cdk/aws-service-spec` (the database the AWS CDK generates its L1 constructs from, rebuilt from the
 * CloudFormation registry schemas). The npm `cfn-lint` is unmaintained (a 2019 specification that rejects valid
 * properties of this template) and the real cfn-lint is Python, hence this small checker:
 *
 *  - every resource Type exists in the specification (Custom:: types excepted);
 *  - every property name exists for that type, recursively through nested property types, lists and maps, wherever
 *    the value is a literal (an intrinsic function's result is not checked);
 *  - required properties are present;
 *  - primitive types match for literals (string, number/integer, boolean, json, timestamp), with CloudFormation's
 *    tolerance: numbers and booleans given as strings ("5", "true"), numbers where a string is expected;
 *  - `Fn::GetAtt` attributes exist on the target's type; `Ref`, `Fn::GetAtt`, `Fn::Sub` variables and `DependsOn`
 *    name a resource, a parameter or a pseudo parameter of the template; `Fn::If` and `Condition` name a condition;
 *  - only known resource attributes (DeletionPolicy values, etc.).
 *
 * `resolveConditions` evaluates a template's Conditions (when they are decidable offline, as the ones the stage
 * parameters produce) and returns the template a stack would actually contain: resources and outputs whose condition
 * is false removed, `Fn::If` replaced by its branch and `AWS::NoValue` dropped.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
import type { Property, PropertyType, SpecDatabase } from '@aws-cdk/service-spec-types';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type SpecErrorCode =
  | 'UNKNOWN_TYPE'
  | 'UNKNOWN_PROPERTY'
  | 'MISSING_REQUIRED'
  | 'WRONG_TYPE'
  | 'UNKNOWN_ATTRIBUTE'
  | 'UNKNOWN_REFERENCE'
  | 'UNKNOWN_CONDITION'
  | 'BAD_RESOURCE_ATTRIBUTE';

export interface SpecError {
  code: SpecErrorCode;
  /** Where: Resources.<id>.Properties.<path> */
  path: string;
  message: string;
}

export interface CfnResourceEntry {
  Type: string;
  Properties?: Record<string, any>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: unknown;
}
export interface CfnTemplate {
  Parameters?: Record<string, unknown>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResourceEntry>;
  Outputs?: Record<string, any>;
}

let cached: SpecDatabase | undefined;
/** The specification database (loaded once per process: ~0.5 s). */
export function specDatabase(): SpecDatabase {
  cached ??= loadAwsServiceSpecSync();
  return cached;
}

export const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);

const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Metadata',
  'UpdatePolicy',
  'CreationPolicy',
]);
const DELETION_POLICIES = new Set(['Delete', 'Retain', 'Snapshot', 'RetainExceptOnCreate']);

const isObject = (v: unknown): v is Record<string, any> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** `{Ref: …}` or `{"Fn::…": …}`: a value CloudFormation computes. */
export function isIntrinsic(v: unknown): boolean {
  if (!isObject(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

function resourceSpec(db: SpecDatabase, type: string) {
  return db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

const NUMERIC = /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/;

/** Validates `template` (use resolveConditions first to check what a stack would contain). */
export function validateTemplate(template: CfnTemplate, db: SpecDatabase = specDatabase()): SpecError[] {
  const errors: SpecError[] = [];
  const resources = template.Resources ?? {};
  const parameters = template.Parameters ?? {};
  const conditions = template.Conditions ?? {};
  const err = (code: SpecErrorCode, path: string, message: string): void => {
    errors.push({ code, path, message });
  };

  const isTarget = (name: string) => name in resources || name in parameters || PSEUDO_PARAMETERS.has(name);

  // References anywhere: Ref, GetAtt, Sub, If, Condition.
  function checkIntrinsics(value: unknown, path: string): void {
    if (Array.isArray(value)) return value.forEach((v, i) => checkIntrinsics(v, `${path}[${i}]`));
    if (!isObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') {
        if (!isTarget(v)) err('UNKNOWN_REFERENCE', path, `Ref to ${v}, which is not a resource or parameter`);
      } else if (k === 'Fn::GetAtt') {
        const [target, ...rest] = typeof v === 'string' ? v.split('.') : (v as unknown[]);
        const attribute = typeof v === 'string' ? rest.join('.') : rest[0];
        checkGetAtt(String(target), attribute, path);
      } else if (k === 'Fn::Sub') {
        const [text, vars] = typeof v === 'string' ? [v, {}] : (v as [string, Record<string, unknown>]);
        if (typeof text === 'string')
          for (const m of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
            const name = m[1]!.trim();
            if (isObject(vars) && name in vars) continue;
            const dot = name.indexOf('.');
            if (dot > 0 && !PSEUDO_PARAMETERS.has(name))
              checkGetAtt(name.slice(0, dot), name.slice(dot + 1), path);
            else if (!isTarget(name))
              err('UNKNOWN_REFERENCE', path, `Fn::Sub variable \${${name}} names nothing`);
          }
      } else if (k === 'Fn::If' && Array.isArray(v)) {
        if (!(String(v[0]) in conditions))
          err('UNKNOWN_CONDITION', path, `Fn::If on unknown condition ${v[0]}`);
      } else if (k === 'Condition' && typeof v === 'string' && path.startsWith('Conditions')) {
        if (!(v in conditions)) err('UNKNOWN_CONDITION', path, `Condition ${v} is not defined`);
      }
      checkIntrinsics(v, `${path}.${k}`);
    }
  }

  function checkGetAtt(target: string, attribute: unknown, path: string): void {
    const r = resources[target];
    if (!r) return err('UNKNOWN_REFERENCE', path, `Fn::GetAtt on ${target}, which is not a resource`);
    if (typeof attribute !== 'string') return; // computed attribute name
    if (r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource') return;
    const spec = resourceSpec(db, r.Type);
    if (spec && !(attribute in spec.attributes))
      err(
        'UNKNOWN_ATTRIBUTE',
        path,
        `${r.Type} has no attribute ${attribute} (Fn::GetAtt ${target}.${attribute})`,
      );
  }

  /** Errors of `value` against one type (not recorded): used to choose among union members. */
  function typeErrors(value: unknown, type: PropertyType, path: string): SpecError[] {
    const saved = errors.length;
    checkValue(value, type, path);
    return errors.splice(saved);
  }

  function checkValue(value: unknown, type: PropertyType, path: string): void {
    if (isIntrinsic(value)) return;
    const wrong = (expected: string) =>
      err('WRONG_TYPE', path, `expected ${expected}, got ${JSON.stringify(value)?.slice(0, 80)}`);
    switch (type.type) {
      case 'string':
        if (typeof value !== 'string' && typeof value !== 'number') wrong('a string');
        return;
      case 'number':
      case 'integer':
        if (!(typeof value === 'number' || (typeof value === 'string' && NUMERIC.test(value))))
          wrong(type.type === 'integer' ? 'an integer' : 'a number');
        else if (type.type === 'integer' && !Number.isInteger(Number(value))) wrong('an integer');
        return;
      case 'boolean':
        if (!(typeof value === 'boolean' || value === 'true' || value === 'false')) wrong('a boolean');
        return;
      case 'date-time':
        if (typeof value !== 'string') wrong('a timestamp string');
        return;
      case 'json':
        if (value === undefined) wrong('JSON');
        return;
      case 'null':
        if (value !== null) wrong('null');
        return;
      case 'tag':
        if (!isObject(value)) return wrong('a tag {Key, Value}');
        for (const k of Object.keys(value))
          if (k !== 'Key' && k !== 'Value')
            err('UNKNOWN_PROPERTY', `${path}.${k}`, `a tag has no property ${k}`);
        return;
      case 'array':
        if (!Array.isArray(value)) return wrong('a list');
        value.forEach((v, i) => checkValue(v, type.element, `${path}[${i}]`));
        return;
      case 'map':
        if (!isObject(value)) return wrong('a map');
        for (const [k, v] of Object.entries(value)) checkValue(v, type.element, `${path}.${k}`);
        return;
      case 'ref': {
        const def = db.get('typeDefinition', type.reference.$ref);
        if (!isObject(value)) return wrong(`a ${def.name} object`);
        checkProperties(value, def.properties, path, def.name);
        return;
      }
      case 'union': {
        const attempts = type.types.map((t) => typeErrors(value, t, path));
        if (attempts.some((a) => a.length === 0)) return;
        // The closest member's errors (fewest), so the message is specific.
        errors.push(...attempts.sort((a, b) => a.length - b.length)[0]!);
        return;
      }
      default:
        return;
    }
  }

  function checkProperty(value: unknown, prop: Property, path: string): void {
    const types = [prop.type, ...(prop.previousTypes ?? [])];
    const attempts = types.map((t) => typeErrors(value, t, path));
    if (attempts.some((a) => a.length === 0)) return;
    errors.push(...attempts[0]!);
  }

  function checkProperties(
    value: Record<string, unknown>,
    spec: Record<string, Property>,
    path: string,
    owner: string,
  ) {
    if (isIntrinsic(value)) return;
    for (const [name, v] of Object.entries(value)) {
      const prop = spec[name];
      if (!prop) {
        err('UNKNOWN_PROPERTY', `${path}.${name}`, `${owner} has no property ${name}`);
        continue;
      }
      checkProperty(v, prop, `${path}.${name}`);
    }
    for (const [name, prop] of Object.entries(spec))
      if (prop.required && !(name in value))
        err('MISSING_REQUIRED', `${path}.${name}`, `${owner} requires property ${name}`);
  }

  for (const [id, resource] of Object.entries(resources)) {
    const path = `Resources.${id}`;
    for (const k of Object.keys(resource))
      if (!RESOURCE_KEYS.has(k))
        err('BAD_RESOURCE_ATTRIBUTE', `${path}.${k}`, `unknown resource attribute ${k}`);
    for (const k of ['DeletionPolicy', 'UpdateReplacePolicy'] as const)
      if (k in resource && !DELETION_POLICIES.has(String(resource[k])))
        err('BAD_RESOURCE_ATTRIBUTE', `${path}.${k}`, `${k} ${JSON.stringify(resource[k])} is not valid`);
    if (resource.Condition !== undefined && !(resource.Condition in conditions))
      err('UNKNOWN_CONDITION', `${path}.Condition`, `Condition ${resource.Condition} is not defined`);
    for (const d of resource.DependsOn === undefined ? [] : [resource.DependsOn].flat())
      if (!(d in resources))
        err('UNKNOWN_REFERENCE', `${path}.DependsOn`, `DependsOn ${d}, which is not a resource`);
    checkIntrinsics(resource.Properties, `${path}.Properties`);

    const type = resource.Type;
    if (typeof type !== 'string') {
      err('UNKNOWN_TYPE', `${path}.Type`, 'resource without a Type');
      continue;
    }
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') continue;
    const spec = resourceSpec(db, type);
    if (!spec) {
      err('UNKNOWN_TYPE', `${path}.Type`, `${type} is not a CloudFormation resource type`);
      continue;
    }
    const props = resource.Properties ?? {};
    if (!isObject(props)) err('WRONG_TYPE', `${path}.Properties`, 'Properties must be an object');
    else checkProperties(props, spec.properties, `${path}.Properties`, type);
  }
  for (const [id, output] of Object.entries(template.Outputs ?? {})) {
    checkIntrinsics(output, `Outputs.${id}`);
    if (output?.Condition !== undefined && !(output.Condition in conditions))
      err('UNKNOWN_CONDITION', `Outputs.${id}.Condition`, `Condition ${output.Condition} is not defined`);
  }
  checkIntrinsics(conditions, 'Conditions');
  return errors;
}

// ---------------------------------------------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------------------------------------------

/** The value of each condition; throws if one depends on something only known at deploy time (a parameter). */
export function evaluateConditions(template: CfnTemplate): Record<string, boolean> {
  const defs = template.Conditions ?? {};
  const done: Record<string, boolean> = {};
  const literal = (v: unknown): unknown => {
    if (isObject(v) && 'Condition' in v) return evaluate(String(v.Condition));
    if (isIntrinsic(v)) throw new Error(`condition value is not known offline: ${JSON.stringify(v)}`);
    return v;
  };
  const expr = (e: unknown): boolean => {
    if (!isObject(e)) throw new Error(`not a condition expression: ${JSON.stringify(e)}`);
    if ('Condition' in e) return evaluate(String(e.Condition));
    if ('Fn::Equals' in e) {
      const [a, b] = (e['Fn::Equals'] as unknown[]).map(literal);
      return String(a) === String(b);
    }
    if ('Fn::Not' in e) return !expr((e['Fn::Not'] as unknown[])[0]);
    if ('Fn::And' in e) return (e['Fn::And'] as unknown[]).every(expr);
    if ('Fn::Or' in e) return (e['Fn::Or'] as unknown[]).some(expr);
    throw new Error(`unsupported condition function: ${Object.keys(e)[0]}`);
  };
  function evaluate(name: string): boolean {
    if (!(name in defs)) throw new Error(`unknown condition ${name}`);
    return (done[name] ??= expr(defs[name]));
  }
  for (const name of Object.keys(defs)) evaluate(name);
  return done;
}

const NO_VALUE = Symbol('AWS::NoValue');

/** The template a stack would contain: see the module's comment. */
export function resolveConditions<T extends CfnTemplate>(template: T): T {
  const conditions = evaluateConditions(template);
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve).filter((x) => x !== NO_VALUE);
    if (!isObject(v)) return v;
    if (isIntrinsic(v) && v.Ref === 'AWS::NoValue') return NO_VALUE;
    if (isIntrinsic(v) && 'Fn::If' in v) {
      const [name, yes, no] = v['Fn::If'] as [string, unknown, unknown];
      if (!(name in conditions)) throw new Error(`Fn::If on unknown condition ${name}`);
      return resolve(conditions[name] ? yes : no);
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const r = resolve(x);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  };
  const keep = (entries: Record<string, any> = {}) =>
    Object.fromEntries(
      Object.entries(entries)
        .filter(([, r]) => r?.Condition === undefined || conditions[r.Condition])
        .map(([id, r]) => [id, resolve(r)]),
    );
  return {
    ...template,
    Resources: keep(template.Resources),
    ...(template.Outputs ? { Outputs: keep(template.Outputs) } : {}),
  } as T;
}
