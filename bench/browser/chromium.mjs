// Debian's Chromium driven by playwright-core (never a downloaded browser),
// headless, with the flags this machine's closed network needs and a fresh
// profile per launch. CHARID_CHROMIUM overrides the executable.
import fs from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHARID_CHROMIUM || '/usr/bin/chromium';

export function chromiumAvailable() {
  return fs.existsSync(CHROMIUM);
}

export async function launchChromium() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'],
  });
  return { browser, version: browser.version() };
}
