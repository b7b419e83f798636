/** CloudFormation intrinsics of a state machine definition → local names. */
import { declaredResources, type ServiceConfigWithStateMachines } from './config';

export interface ResourceRefs {
  /** What `Ref` returns (including pseudo parameters such as AWS::Region). */
  ref(logicalId: string): string;
  /** What `Fn::GetAtt` returns. */
  getAtt(logicalId: string, attribute: string): string;
}

/**
 * Resolves the CloudFormation intrinsics a state machine definition may carry (Ref, Fn::GetAtt, Fn::Sub, Fn::Join)
 * and serverless-step-functions' #{AWS::...} pseudo parameters. Anything else is an error, so that a definition the
 * local lake cannot run faithfully fails at start rather than at the state.
 */
export function resolveIntrinsics<T>(value: T, refs: ResourceRefs): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return v.replace(/#\{([^}]+)\}/g, (_, name: string) => refs.ref(name));
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'))) {
      const key = keys[0]!;
      const arg = obj[key];
      switch (key) {
        case 'Ref':
          return refs.ref(String(arg));
        case 'Fn::GetAtt': {
          const [id, attr] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.+)/);
          return refs.getAtt(id!, attr!);
        }
        case 'Fn::Sub': {
          const [template, vars] = Array.isArray(arg) ? arg : [arg, {}];
          const resolvedVars = walk(vars ?? {}) as Record<string, unknown>;
          return String(template).replace(/\$\{([^}]+)\}/g, (_, expr: string) => {
            if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
            if (expr in resolvedVars) return String(resolvedVars[expr]);
            const dot = expr.indexOf('.');
            return dot > 0 && !expr.startsWith('AWS::')
              ? refs.getAtt(expr.slice(0, dot), expr.slice(dot + 1))
              : refs.ref(expr);
          });
        }
        case 'Fn::Join': {
          const [sep, list] = arg as [string, unknown[]];
          return (walk(list) as unknown[]).map(String).join(sep);
        }
        default:
          throw new Error(`the local lake cannot resolve ${key} in a state machine definition`);
      }
    }
    return Object.fromEntries(Object.entries(obj).map(([k, x]) => [k, walk(x)]));
  };
  return walk(value) as T;
}

export interface LocalAws {
  region: string;
  accountId: string;
}

/** serverless-step-functions' / the framework's normalized logical id of a function: my-fn → MyDashfnLambdaFunction. */
export const functionLogicalId = (key: string) =>
  key.charAt(0).toUpperCase() +
  key.slice(1).replace(/-/g, 'Dash').replace(/_/g, 'Underscore') +
  'LambdaFunction';

/** A bucket's folder on the local lake: RawBucket → raw, CuratedBucket → curated (<LAKE_DIR>/<folder>/<key>). */
export const localBucketName = (logicalId: string) =>
  logicalId
    .replace(/Bucket$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();

/**
 * Local stand-in names for the resources of the configuration: buckets are lake folders, topics, Glue jobs, functions
 * and state machines get ARNs in the local account.
 */
export function localResourceRefs(config: ServiceConfigWithStateMachines, aws: LocalAws): ResourceRefs {
  const resources = declaredResources(config);
  const stage = config.provider.stage ?? 'local';
  const stackName = `${config.service}-${stage}`;
  const functions = new Map<string, string>();
  for (const [key, fn] of Object.entries(config.functions ?? {})) {
    functions.set(
      functionLogicalId(key),
      (fn as { name?: string }).name ?? `${config.service}-${stage}-${key}`,
    );
  }
  const machines = new Map<string, string>();
  for (const [key, sm] of Object.entries(config.stepFunctions?.stateMachines ?? {})) {
    machines.set(
      sm.id ?? `${key.charAt(0).toUpperCase()}${key.slice(1)}StepFunctionsStateMachine`,
      sm.name ?? key,
    );
  }
  const { region, accountId } = aws;
  const arn = (service: string, rest: string) => `arn:aws:${service}:${region}:${accountId}:${rest}`;

  const refs: ResourceRefs = {
    ref(id) {
      switch (id) {
        case 'AWS::Region':
          return region;
        case 'AWS::AccountId':
          return accountId;
        case 'AWS::Partition':
          return 'aws';
        case 'AWS::StackName':
          return stackName;
        case 'AWS::URLSuffix':
          return 'amazonaws.com';
      }
      if (functions.has(id)) return functions.get(id)!;
      if (machines.has(id)) return arn('states', `stateMachine:${machines.get(id)}`);
      const r = resources[id];
      if (!r) throw new Error(`the state machine refers to ${id}, which serverless.yml does not declare`);
      const name = (prop: string) => {
        const v = r.Properties?.[prop];
        return v === undefined ? id : String(resolveIntrinsics(v, refs));
      };
      switch (r.Type) {
        case 'AWS::S3::Bucket':
          return localBucketName(id);
        case 'AWS::SNS::Topic':
          return arn('sns', name('TopicName'));
        case 'AWS::Glue::Job':
          return name('Name');
        case 'AWS::Lambda::Function':
          return name('FunctionName');
        default:
          return id;
      }
    },
    getAtt(id, attribute) {
      if (attribute === 'Arn') {
        if (functions.has(id)) return arn('lambda', `function:${functions.get(id)}`);
        const type = resources[id]?.Type;
        switch (type) {
          case 'AWS::S3::Bucket':
            return `arn:aws:s3:::${refs.ref(id)}`;
          case 'AWS::SNS::Topic':
            return refs.ref(id);
          case 'AWS::Glue::Job':
            return arn('glue', `job/${refs.ref(id)}`);
          case 'AWS::Lambda::Function':
            return arn('lambda', `function:${refs.ref(id)}`);
          case 'AWS::IAM::Role':
            return `arn:aws:iam::${accountId}:role/${id}`;
        }
      }
      if (attribute === 'TopicName' && resources[id]?.Type === 'AWS::SNS::Topic')
        return refs.ref(id).split(':').pop()!;
      throw new Error(`the local lake has no stand-in for Fn::GetAtt ${id}.${attribute}`);
    },
  };
  return refs;
}
