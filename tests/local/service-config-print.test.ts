/**
 * The service as `sls print` resolves it (local/service-config.ts), run as a child in a process group of its own (a
 * Ctrl-C while the lake starts is the lake's to handle): what it refuses is still told with its reason.
 */
import { loadServiceConfig } from '../../local/service-config';

it('tells why serverless.yml does not resolve, with the reason sls print gives', async () => {
  const refused = await loadServiceConfig('--bad').catch((e: unknown) => e as Error);
  expect(refused).toMatchObject({
    name: 'ServiceConfigError',
    message: expect.stringMatching(
      /^serverless.yml does not resolve for stage --bad \(sls print\):\n {2}Missing value for CLI parameter "--stage"/,
    ),
  });
}, 120_000);
