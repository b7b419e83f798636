/** The event validators (the envelope and each event type's data), generated at build time from schemas/. */
import { ENVELOPE_EXPORT, exportName, type GeneratedModule, loadGenerated, validatorFor } from './lookup';
import type { Validator } from './types';

let generated: GeneratedModule | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = () => (generated ??= loadGenerated('events', () => require('./generated/events.js')));

export const envelopeValidator = (schema: object): Validator =>
  validatorFor('events', ENVELOPE_EXPORT, schema, load);

export const eventDataValidator = (type: string, schema: object): Validator =>
  validatorFor('events', exportName('events', type), schema, load);

/** The event types the validators were generated for (schemas/events/ at build time), unsorted. */
export const generatedEventTypes = (): string[] =>
  Object.keys(load().fingerprints)
    .filter((key) => key.startsWith('events/'))
    .map((key) => key.slice('events/'.length));
