'use strict';
/**
 * The build step of the validators (lib/validators/build.ts): schemas/ → lib/validators/generated/ (ajv standalone
 * code) before the functions are bundled — `sls package` / `sls deploy` and `sls invoke local` — so that a bundle
 * never carries validators of other schemas than its own (the registries also compare fingerprints at run time).
 * It runs as `npm run validators` does, in a process of its own: ajv's code generator must not share a process with
 * the framework's own copy of ajv.
 */
const { execFileSync } = require('node:child_process');
const path = require('node:path');

class ValidatorsPlugin {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:initialize': () => this.build(),
      'before:invoke:local:invoke': () => this.build(),
    };
  }

  build() {
    const root = path.resolve(__dirname, '../..');
    try {
      execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'local/cli/validators.ts')], {
        cwd: root,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
    } catch (e) {
      throw new this.serverless.classes.Error(
        `generating the validators from schemas/ failed: ${String(e.stderr || e.message).trim()}`,
        'VALIDATORS_BUILD_FAILED',
      );
    }
  }
}

module.exports = ValidatorsPlugin;
