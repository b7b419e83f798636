/** The structured logger every function and the local runtime share (AWS Lambda Powertools). */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || 'data-lake' });
