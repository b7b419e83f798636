import 'aws-sdk-client-mock-jest';

// Quiet logs in tests unless asked for.
process.env.POWERTOOLS_LOG_LEVEL ??= process.env.TEST_LOG_LEVEL ?? 'SILENT';
