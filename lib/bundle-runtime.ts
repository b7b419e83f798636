/**
 * Code only the local lake runs is left out of the function bundles built for AWS: serverless.yml
 * custom.esbuild.define replaces `process.env.LAKE_BUNDLE_RUNTIME` by the stage's runtime ('aws' or 'local'), and
 * esbuild drops a branch `if (process.env.LAKE_BUNDLE_RUNTIME !== 'aws') { … }` with the modules only it uses (the
 * test must be written out so at each place: esbuild folds it only there). Unbundled (tsx, jest) the variable is unset
 * and every branch is there. A bundle built for AWS asked to run against the local lake refuses, with this error.
 */
export function notInAwsBundle(what: string): Error {
  return new Error(
    `LAKE_RUNTIME is local, but this bundle was built for AWS (LAKE_BUNDLE_RUNTIME=aws) and holds no ${what}: ` +
      'run the local lake (npm start) or `sls invoke local --stage local`',
  );
}
