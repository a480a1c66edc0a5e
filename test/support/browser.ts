/**
 * Headless Chromium for browser tests: Debian's package (`apt-get install chromium`, which
 * `.ci/run` installs), driven by playwright-core (no browser download). CHROMIUM_PATH overrides
 * where it is.
 *
 *   const browser = await launchChromium();
 *   const page = await browser.newPage();
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { projectRoot } from '../../src/store/local/paths.js';

/** Where the browser tests leave screenshots (gitignored). */
export const ARTIFACTS_DIR = path.join(projectRoot, 'test-artifacts');

export function chromiumPath(): string {
  const candidate = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(candidate)) {
    throw new Error(`browser tests need Chromium at ${candidate}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return candidate;
}

/** Starts Chromium headless (Playwright gives it a fresh profile of its own, removed on close). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // the machines here have no internet: no background connections, no component updates
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
