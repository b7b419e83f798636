/**
 * The CLIs that run an execution print its outcome; the lake's own log lines only when something goes wrong (or
 * when asked for with POWERTOOLS_LOG_LEVEL). Imported first: Powertools reads the level when a logger is built,
 * and the local runtime's logger (local/log.ts) is built when its module is loaded.
 */
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

export {};
