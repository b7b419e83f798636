/**
 * The IAM role a state machine runs with on AWS, read from the template, and what it lets the S3 stand-in do.
 *
 * The role is stepFunctions.stateMachines.<key>.role (`!GetAtt <Role>.Arn`, e.g. EtlStateMachineRole in
 * resources/etl-state-machine.yml). Its statements are its inline Policies, the template's AWS::IAM::ManagedPolicy
 * resources it lists in ManagedPolicyArns, and the AWS::IAM::Policy / ManagedPolicy resources that name it in Roles,
 * with CloudFormation resolved as the deployment would: Conditions evaluated (Fn::Equals, Fn::Not, Fn::And, Fn::Or,
 * Condition), Fn::If chosen, AWS::NoValue dropped, Ref / Fn::GetAtt / Fn::Sub mapped to local names the way the
 * definition's are (intrinsics.ts: `${CuratedBucket.Arn}` → arn:aws:s3:::curated, the lake folder the stand-in reads).
 *
 * What is not reproduced, and refused rather than guessed (Local.PolicyNotEvaluated, when an S3 read needs it): a
 * role given as an ARN, AWS managed policies, permissions boundaries, statements about S3 that cannot be resolved.
 * Not evaluated: bucket policies (the lake's deny only insecure transport, which Step Functions never uses), SCPs,
 * and KMS permissions for SSE-KMS objects (with `encryption: kms`, AWS also needs kms:Decrypt on the lake key).
 */
import { LOCAL_ACCOUNT_ID } from '../../lib/workflow/local';
import { declaredResources, type ServiceConfigWithStateMachines } from './config';
import { localResourceRefs, resolveIntrinsics, type ResourceRefs } from './intrinsics';
import { PolicyNotEvaluated, evaluate, isAllowed, type PolicyStatement } from './role-policy';

/** What the S3 stand-in may do for a state machine, as its role allows it. */
export interface S3ReadAccess {
  /** The role, for messages (its logical id). */
  principal: string;
  /** s3:GetObject on arn:aws:s3:::<bucket>/<key>. */
  mayGetObject(bucket: string, key: string): boolean;
  /**
   * s3:ListBucket on arn:aws:s3:::<bucket>: decides 404 NoSuchKey or 403 AccessDenied for a missing key. A
   * statement with a Condition does not count: S3 asks this within the GetObject request, where the condition keys
   * of ListBucket (s3:prefix, s3:delimiter, s3:max-keys, ...) are absent, and a condition on an absent key does not
   * hold (IAM User Guide, "Condition operators": a key missing from the request context does not match).
   */
  mayListBucket(bucket: string): boolean;
}

/** Access from explicit statements (tests, or a role resolved by stateMachineRoleStatements). */
export function roleS3Access(principal: string, statements: () => PolicyStatement[]): S3ReadAccess {
  return {
    principal,
    mayGetObject: (bucket, key) =>
      isAllowed(statements(), 's3:GetObject', `arn:aws:s3:::${bucket}/${key}`, {
        principal,
        conditionalAllow: 'refuse',
      }),
    mayListBucket: (bucket) =>
      isAllowed(statements(), 's3:ListBucket', `arn:aws:s3:::${bucket}`, {
        principal,
        conditionalAllow: 'no',
      }),
  };
}

/** The S3 access of a state machine of the configuration; the template is read on first use. */
export function stateMachineS3Access(config: ServiceConfigWithStateMachines, machine: string): S3ReadAccess {
  let resolved: { roleId: string; statements: PolicyStatement[] } | undefined;
  let failure: unknown;
  const load = () => {
    if (!resolved && !failure) {
      try {
        resolved = stateMachineRoleStatements(config, machine);
      } catch (e) {
        failure = e;
      }
    }
    if (failure) throw failure;
    return resolved!;
  };
  const principal = roleLogicalId(config, machine) ?? `the role of state machine ${machine}`;
  return roleS3Access(principal, () => load().statements);
}

type Template = Record<string, unknown>;

function roleLogicalId(config: ServiceConfigWithStateMachines, machine: string): string | undefined {
  const role = config.stepFunctions?.stateMachines?.[machine] as { role?: unknown } | undefined;
  const getAtt = (role?.role as Template | undefined)?.['Fn::GetAtt'];
  const [id, attr] = Array.isArray(getAtt) ? getAtt.map(String) : String(getAtt ?? '').split(/\.(.+)/);
  return getAtt !== undefined && attr === 'Arn' ? id : undefined;
}

const refuse = (message: string) => new PolicyNotEvaluated(message);

/** The role's statements, resolved for the local lake (see the header). */
export function stateMachineRoleStatements(
  config: ServiceConfigWithStateMachines,
  machine: string,
): { roleId: string; statements: PolicyStatement[] } {
  const sm = config.stepFunctions?.stateMachines?.[machine] as { role?: unknown } | undefined;
  if (!sm) throw refuse(`serverless.yml declares no state machine '${machine}'`);
  const roleId = roleLogicalId(config, machine);
  const resources = declaredResources(config);
  const role = roleId ? resources[roleId] : undefined;
  if (!roleId || role?.Type !== 'AWS::IAM::Role') {
    throw refuse(
      `state machine '${machine}' has no role the local engine can read (role: ${JSON.stringify(sm.role)}): it ` +
        `evaluates a role declared in the template and given as !GetAtt <Role>.Arn; serverless-step-functions' ` +
        `generated role and roles from elsewhere are not reproduced`,
    );
  }
  const conditions = templateConditions(config);
  const refs = localResourceRefs(config, {
    region: config.provider.region ?? process.env.AWS_REGION ?? 'us-east-1',
    accountId: LOCAL_ACCOUNT_ID,
  });
  // A resource with a Condition exists only where its condition holds.
  const exists = (r: object) => {
    const name = (r as { Condition?: unknown }).Condition;
    return name === undefined || condition(String(name), conditions, refs);
  };
  const props = (role.Properties ?? {}) as Template;
  if (props.PermissionsBoundary !== undefined)
    throw refuse(`${roleId} has a PermissionsBoundary, which the local engine does not evaluate`);
  const documents: unknown[] = ((props.Policies ?? []) as Template[]).map((p) => p.PolicyDocument);
  for (const arn of (props.ManagedPolicyArns ?? []) as unknown[]) {
    const ref = (arn as Template | undefined)?.Ref;
    const managed = typeof ref === 'string' ? resources[ref] : undefined;
    if (managed?.Type !== 'AWS::IAM::ManagedPolicy' || !exists(managed))
      throw refuse(
        `${roleId} uses the managed policy ${JSON.stringify(arn)}, whose statements the local engine does not have`,
      );
    documents.push(managed.Properties?.PolicyDocument);
  }
  for (const r of Object.values(resources)) {
    const roles = (r.Properties?.Roles ?? []) as unknown[];
    const attached = roles.some((x) => (x as Template | undefined)?.Ref === roleId);
    if (attached && (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') && exists(r))
      documents.push(r.Properties?.PolicyDocument);
  }
  const statements: PolicyStatement[] = [];
  for (const doc of documents) {
    const chosen = chooseConditionals(doc, conditions, refs) as { Statement?: unknown } | undefined;
    const list = chosen?.Statement === undefined ? [] : [chosen.Statement].flat();
    for (const raw of list as PolicyStatement[]) statements.push(...resolveStatement(raw, refs, roleId));
  }
  return { roleId, statements };
}

/**
 * A statement with its intrinsics resolved. One that cannot be resolved (e.g. Fn::GetAtt of a KMS key, which has no
 * local stand-in) is left out when its actions are not the S3 reads, and refused when they are.
 */
function resolveStatement(raw: PolicyStatement, refs: ResourceRefs, roleId: string): PolicyStatement[] {
  try {
    return [resolveIntrinsics(raw, refs)];
  } catch (e) {
    const actionsOnly: PolicyStatement = { ...raw, Effect: 'Allow', Resource: '*' };
    delete actionsOnly.NotResource;
    delete actionsOnly.Condition;
    const aboutS3Reads = ['s3:GetObject', 's3:ListBucket'].some(
      (action) => evaluate([actionsOnly], action, '*').allowedBy,
    );
    if (!aboutS3Reads) return [];
    throw refuse(
      `${roleId}: ${raw.Sid ?? 'a statement'} about S3 reads cannot be resolved locally (${(e as Error).message})`,
    );
  }
}

/** The template's Conditions (resources: may be an object or a list of them). */
function templateConditions(config: ServiceConfigWithStateMachines): Template {
  const parts = [config.resources ?? []].flat() as { Conditions?: Template }[];
  return Object.assign({}, ...parts.map((p) => p?.Conditions ?? {})) as Template;
}

const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves Fn::If by the template's Conditions and drops AWS::NoValue, as CloudFormation does. */
function chooseConditionals(value: unknown, conditions: Template, refs: ResourceRefs): unknown {
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk).filter((x) => x !== NO_VALUE);
    if (v === null || typeof v !== 'object') return v;
    const obj = v as Template;
    if (obj.Ref === 'AWS::NoValue') return NO_VALUE;
    if ('Fn::If' in obj) {
      const [name, whenTrue, whenFalse] = obj['Fn::If'] as [string, unknown, unknown];
      return walk(condition(name, conditions, refs) ? whenTrue : whenFalse);
    }
    const out: Template = {};
    for (const [k, x] of Object.entries(obj)) {
      const w = walk(x);
      if (w !== NO_VALUE) out[k] = w;
    }
    return out;
  };
  const result = walk(value);
  return result === NO_VALUE ? undefined : result;
}

/** Evaluates a condition of the template (Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition). */
function condition(
  name: string,
  conditions: Template,
  refs: ResourceRefs,
  seen = new Set<string>(),
): boolean {
  if (!(name in conditions)) throw refuse(`the template has no condition ${name}`);
  if (seen.has(name)) throw refuse(`condition ${name} refers to itself`);
  seen.add(name);
  const evalExpr = (e: unknown): boolean => {
    const obj = (e ?? {}) as Template;
    if ('Condition' in obj) return condition(String(obj.Condition), conditions, refs, seen);
    if ('Fn::Equals' in obj) {
      const [a, b] = obj['Fn::Equals'] as [unknown, unknown];
      return String(resolveIntrinsics(a, refs)) === String(resolveIntrinsics(b, refs));
    }
    if ('Fn::Not' in obj) return !evalExpr((obj['Fn::Not'] as unknown[])[0]);
    if ('Fn::And' in obj) return (obj['Fn::And'] as unknown[]).every(evalExpr);
    if ('Fn::Or' in obj) return (obj['Fn::Or'] as unknown[]).some(evalExpr);
    throw refuse(`the local engine cannot evaluate condition ${name}: ${JSON.stringify(e)}`);
  };
  const result = evalExpr(conditions[name]);
  seen.delete(name);
  return result;
}
