/**
 * A small evaluator of IAM identity-policy statements: may this role call `action` on `resource`?
 *
 * The rules reproduced (IAM User Guide, "Policy evaluation logic" and "IAM JSON policy elements: Action / Resource /
 * NotAction / NotResource"):
 *  - An explicit Deny that matches wins; otherwise an Allow that matches allows; otherwise the request is implicitly
 *    denied.
 *  - Action (and NotAction) values match case-insensitively, with `*` (any run of characters) and `?` (one
 *    character) as wildcards; Resource (and NotResource) values match case-sensitively with the same wildcards, over
 *    the whole ARN. NotAction / NotResource match everything except what they list.
 *
 * Conditions are not evaluated: the local engine does not have the request context IAM evaluates them against. A
 * matching statement with a Condition is reported to the caller (Evaluation.conditional), who decides: count it as
 * not matching where AWS's answer is known not to depend on it, or refuse with an error naming the difference.
 * Policy variables (${aws:username}, ...) are not substituted: a statement that uses them is treated as conditional.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, unknown>;
}

export interface Evaluation {
  /** An unconditional Deny that matches. */
  deniedBy?: PolicyStatement;
  /** An unconditional Allow that matches. */
  allowedBy?: PolicyStatement;
  /** Matching statements whose Condition (or policy variables) the evaluator cannot decide. */
  conditional: PolicyStatement[];
}

const list = (v: string | string[] | undefined): string[] =>
  v === undefined ? [] : Array.isArray(v) ? v : [v];

/** `*` matches any run of characters (none included), `?` exactly one; everything else literally. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function matchesAction(s: PolicyStatement, action: string): boolean {
  if (s.NotAction !== undefined) return !list(s.NotAction).some((p) => wildcardMatch(p, action, true));
  return list(s.Action).some((p) => wildcardMatch(p, action, true));
}

function matchesResource(s: PolicyStatement, resource: string): boolean {
  if (s.NotResource !== undefined) return !list(s.NotResource).some((p) => wildcardMatch(p, resource));
  return list(s.Resource).some((p) => wildcardMatch(p, resource));
}

const usesPolicyVariables = (s: PolicyStatement) =>
  [...list(s.Resource), ...list(s.NotResource)].some((r) => r.includes('${'));

/** The statements that bear on one request, sorted by what the evaluator can say about them. */
export function evaluate(statements: PolicyStatement[], action: string, resource: string): Evaluation {
  const out: Evaluation = { conditional: [] };
  for (const s of statements) {
    if (!matchesAction(s, action) || !matchesResource(s, resource)) continue;
    if (s.Condition !== undefined || usesPolicyVariables(s)) out.conditional.push(s);
    else if (s.Effect === 'Deny') out.deniedBy ??= s;
    else if (s.Effect === 'Allow') out.allowedBy ??= s;
  }
  return out;
}

const describe = (s: PolicyStatement) => (s.Sid ? `statement ${s.Sid}` : 'a statement');

export class PolicyNotEvaluated extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Local.PolicyNotEvaluated';
  }
}

/**
 * Allowed or not, when the evaluator can tell. A conditional Allow counts as not matching when
 * `conditionalAllow` is 'no' (the caller knows its condition cannot hold); otherwise, and for any conditional Deny
 * that could change the answer, it throws PolicyNotEvaluated naming the statement.
 */
export function isAllowed(
  statements: PolicyStatement[],
  action: string,
  resource: string,
  opts: { principal: string; conditionalAllow: 'no' | 'refuse' },
): boolean {
  const ev = evaluate(statements, action, resource);
  if (ev.deniedBy) return false;
  const conditionalDeny = ev.conditional.find((s) => s.Effect === 'Deny');
  const conditionalAllow = ev.conditional.find((s) => s.Effect === 'Allow');
  const undecided =
    (ev.allowedBy && conditionalDeny) ??
    (!ev.allowedBy && opts.conditionalAllow === 'refuse' ? conditionalAllow : undefined);
  if (undecided) {
    throw new PolicyNotEvaluated(
      `The local engine cannot tell whether ${opts.principal} may ${action} on ${resource}: ` +
        `${describe(undecided)} has a Condition or policy variables, which it does not evaluate (AWS would).`,
    );
  }
  return !!ev.allowedBy;
}
