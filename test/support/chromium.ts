/**
 * Debian's headless Chromium for the HTML report tests (no browser download: `.ci/run` installs `chromium`).
 * The flags keep it off the network, which this machine refuses anyway.
 */
import { type Browser, chromium } from 'playwright-core';

/** Launches /usr/bin/chromium headless; the caller closes it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
