// Debian's Chromium through playwright-core, as both browser checks launch it: headless,
// on a fresh profile that is removed afterwards.
//
//   CHROMIUM=/path/to/chromium   another binary (default /usr/bin/chromium)

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Flags for a quiet headless run: no sandbox (root in CI), no GPU, no QUIC, nothing in
 * the background that would make requests of its own. */
const args = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Launches Chromium on a new profile directory named after `name`, runs `use(context)`
 * with its browser context, then closes the browser and removes the profile, whatever
 * `use` did. Resolves with what `use` resolved with; rejects when the browser cannot be
 * launched or `use` rejects.
 */
export async function withChromium(name, use) {
  const profile = mkdtempSync(join(tmpdir(), `${name}-`));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args });
    return await use(context);
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
