/**
 * Step Functions' quota on an execution's input, which StartExecution enforces before any execution exists: 256 KiB
 * (262,144 bytes) of UTF-8 JSON ("Step Functions service quotas"). Over it, AWS answers
 * `ValidationException: 1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have
 * size less than or equal to 262144 bytes in UTF-8 encoding`. The local workflow (lib/workflow/local.ts) and the local
 * engine (local/step-functions/) refuse the same way; the quotas inside an execution are the engine's
 * (local/step-functions/payload-quota.ts).
 */

/** 256 KiB: Step Functions Standard's payload quota, in bytes of UTF-8. */
export const PAYLOAD_QUOTA_BYTES = 262_144;

/** Bytes of the UTF-8 JSON of `value`, as Step Functions measures a payload. */
export function payloadBytes(value: unknown): number {
  const json = JSON.stringify(value);
  return json === undefined ? 0 : Buffer.byteLength(json, 'utf8');
}

/** StartExecution's answer to an input over the quota (no execution is created). */
export function checkExecutionInput(input: unknown, quota = PAYLOAD_QUOTA_BYTES): void {
  const size = payloadBytes(input);
  if (size <= quota) return;
  const err = new Error(
    `1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have size less than ` +
      `or equal to ${quota} bytes in UTF-8 encoding (the input is ${size.toLocaleString('en-US')} bytes)`,
  );
  err.name = 'ValidationException';
  throw err;
}
