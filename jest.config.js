/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$|^.+\\.mjs$': ['@swc/jest', { jsc: { target: 'es2023' }, module: { type: 'commonjs' } }],
  },
  // @middy/*, hyparquet and dt-sql-parser (with its ANTLR runtime) ship ES modules only; compile them for jest's CommonJS runtime.
  transformIgnorePatterns: ['/node_modules/(?!@middy/|hyparquet/|dt-sql-parser/|antlr4ng/|antlr4-c3/)'],
  setupFilesAfterEnv: ['<rootDir>/tests/setup.ts'],
  globalSetup: '<rootDir>/tests/global-setup.ts',
  globalTeardown: '<rootDir>/tests/global-teardown.ts',
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
  testTimeout: 60_000,
  maxWorkers: 2,
};
