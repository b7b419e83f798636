/**
 * A real browser for the console's tests and the bench: Debian's Chromium (/usr/bin/chromium) driven by
 * playwright-core, headless, with the flags that keep it off the network (../shared/README.md). Nothing is
 * downloaded: without /usr/bin/chromium (CI installs it: .ci/run), `launchBrowser` says so.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: apt-get install -y chromium (as .ci/run does), or set CHROMIUM_PATH`,
    );
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}
