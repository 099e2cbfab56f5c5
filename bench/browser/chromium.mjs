// Debian's Chromium driven by playwright-core (never a downloaded browser),
// headless, with the flags this machine's closed network needs and a fresh
// profile per launch. CHARID_CHROMIUM overrides the executable.
import fs from 'node:fs';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHARID_CHROMIUM || '/usr/bin/chromium';

export function chromiumAvailable() {
  return fs.existsSync(CHROMIUM);
}

// { webgpu: true } drops --disable-gpu and adds --enable-unsafe-webgpu: headless Chromium on
// Linux then offers a WebGPU adapter (SwiftShader, on the CPU, where there is no GPU).
export async function launchChromium({ webgpu = false } = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', ...(webgpu ? ['--enable-unsafe-webgpu'] : ['--disable-gpu']), '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-precise-memory-info'],
  });
  return { browser, version: browser.version() };
}
