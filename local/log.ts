/** The local runtime's own logger (separate from the functions', which carries each invocation's context). */
import { Logger } from '@aws-lambda-powertools/logger';

export const localLog = new Logger({ serviceName: 'local-lake' });
