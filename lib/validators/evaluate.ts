/**
 * A generated validator module (lib/validators/source.ts) loaded from its text, as `require` would load the file:
 * what the local lake does with the validators of schemas it has just checked, without waiting for a file write.
 * Its own `require`s resolve from lib/validators/generated/, through this module's `require` (jest's in the tests).
 */
import path from 'node:path';
import type { GeneratedModule } from './lookup';

const generatedDir = path.join(__dirname, 'generated');

export function evaluateValidatorSource(source: string): GeneratedModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const req = (id: string): unknown => require(id.startsWith('.') ? path.resolve(generatedDir, id) : id);
  const module = { exports: {} as Record<string, unknown> };
  // The text is ajv's generated code for the lake's own schemas (never request input), as ajv itself compiles.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  new Function('require', 'module', 'exports', source)(req, module, module.exports);
  return module.exports as GeneratedModule;
}
