/** The dataset row validators, generated at build time from schemas/datasets/. */
import { exportName, type GeneratedModule, loadGenerated, validatorFor } from './lookup';
import type { Validator } from './types';

let generated: GeneratedModule | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const load = () => (generated ??= loadGenerated('datasets', () => require('./generated/datasets.js')));

export const datasetRowValidator = (name: string, schema: object): Validator =>
  validatorFor('datasets', exportName('datasets', name), schema, load);
