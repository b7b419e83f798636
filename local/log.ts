/** The local runtime's own logger (separate from the functions', which carries each invocation's context). */
import { LakeLogger } from '../lib/lake-logger';

export const localLog = new LakeLogger({ serviceName: 'local-lake' });
