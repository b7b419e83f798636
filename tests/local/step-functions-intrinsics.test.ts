/**
 * Intrinsic functions on the local engine answer as Step Functions does (AWS Step Functions Developer Guide,
 * "Intrinsic functions"): escape sequences (\' \{ \} \\) belong to the string literals written in the definition; a
 * value taken from the state (a JSONPath argument) is inserted as it is, backslashes included. aws-local-stepfunctions
 * 3 removed every backslash from every result (`result.replaceAll("\\", "")`), so JSON text with an escaped quote
 * came out broken — e.g. States.JsonToString of an upload key with a `"` in it, which the ETL's FileJobArguments
 * passes to the job. The project patches the library (patches/aws-local-stepfunctions+*.patch, applied by
 * patch-package at install); these tests fail without the patch. It also names an intrinsic function that fails
 * (JSON.parse in States.StringToJson) States.IntrinsicFailure, as Step Functions does, not by the JavaScript error.
 */
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';

async function pass(
  parameters: Record<string, string>,
  input: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const definition = {
    StartAt: 'P',
    States: { P: { Type: 'Pass', Parameters: parameters, End: true } },
  } as unknown as StateMachineDefinition;
  return (await new StateMachine(definition).run(input as never).result) as Record<string, unknown>;
}

describe('intrinsic functions on the local engine', () => {
  it('States.JsonToString gives JSON text that parses back to the value, quotes and backslashes included', async () => {
    const keys = ['uploads/orders/"quoted" name.csv', 'uploads/orders/back\\slash.csv'];
    const out = await pass({ 'json.$': 'States.JsonToString($.keys)' }, { keys });
    expect(JSON.parse(out.json as string)).toEqual(keys);
  });

  it('States.Format inserts values as they are, and reads escapes only in its template', async () => {
    const out = await pass(
      {
        'plain.$': "States.Format('cause: {}', $.cause)",
        'braces.$': "States.Format('\\{ name: {} \\}', $.name)",
        'escapedQuote.$': "States.Format('it\\'s {}', $.name)",
        'number.$': "States.Format('{} of {}', $.n, $.m)",
      },
      {
        cause: '{"ErrorMessage":"column \\"amount\\" not found","path":"C:\\\\x"}',
        name: 'Bob',
        n: 6,
        m: 10,
      },
    );
    expect(out.plain).toBe('cause: {"ErrorMessage":"column \\"amount\\" not found","path":"C:\\\\x"}');
    expect(JSON.parse((out.plain as string).slice('cause: '.length))).toMatchObject({ path: 'C:\\x' });
    expect(out.braces).toBe('{ name: Bob }');
    expect(out.escapedQuote).toBe("it's Bob");
    expect(out.number).toBe('6 of 10');
  });

  it('States.Format still refuses a template whose placeholders and arguments do not match', async () => {
    await expect(pass({ 'x.$': "States.Format('{} {}', $.a)" }, { a: 1 })).rejects.toThrow(/do not match/);
  });

  it('an intrinsic function that fails (States.StringToJson of no JSON) is States.IntrinsicFailure, caught by States.ALL', async () => {
    // Step Functions' error name for a failed intrinsic function, not JavaScript's (SyntaxError), retried and caught
    // as the definition says (the ETL's ReadUploadResult reads a result file with States.StringToJson).
    const definition = {
      StartAt: 'Read',
      States: {
        Read: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:s3:getObject',
          ResultSelector: { 'summary.$': 'States.StringToJson($.Body)' },
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    } as unknown as StateMachineDefinition;
    const run = new StateMachine(definition).run({} as never, {
      overrides: { taskResourceLocalHandlers: { Read: async () => ({ Body: '{"status":"SUCC' }) } },
    });
    const out = (await run.result) as {
      error: { Error: string; Cause: string };
    };
    expect(out.error.Error).toBe('States.IntrinsicFailure');
    expect(out.error.Cause).toMatch(/^States.StringToJson: .*JSON/);
  });

  it('States.JsonMerge makes a new object: a Result of the definition is not changed for the next execution', async () => {
    // aws-local-stepfunctions 3 merged into its first argument, here the Pass state's Result, shared by every run.
    const sm = new StateMachine({
      StartAt: 'Defaults',
      States: {
        Defaults: { Type: 'Pass', Result: { replay: null }, ResultPath: '$.defaults', Next: 'Merge' },
        Merge: {
          Type: 'Pass',
          Parameters: { 'merged.$': 'States.JsonMerge($.defaults, $.summary, false)' },
          End: true,
        },
      },
    } as unknown as StateMachineDefinition);
    const first = await sm.run({ summary: { replay: { sources: 2 } } } as never).result;
    const second = await sm.run({ summary: { rebuild: { sources: 3 } } } as never).result;
    expect(first).toEqual({ merged: { replay: { sources: 2 } } });
    expect(second).toEqual({ merged: { replay: null, rebuild: { sources: 3 } } });
  });
});
