import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The headless shell first: the same engine without the browser UI, about half the CPU per render
// (docs/PERFORMANCE.md, "Cheaper renders"). Debian's chromium-headless-shell package: the binary
// itself, not /usr/bin/chromium-headless-shell, a shell wrapper that does not exec (its pid would
// not be the browser's, and a signal to it would leave the browser running).
const SYSTEM_BROWSERS = [
  '/usr/lib/chromium/chromium-headless-shell',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

function isExecutableFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Puppeteer's own download (~/.cache/puppeteer/<browser>/<build>/...), newest build first. */
function puppeteerDownloadedBrowser(env: NodeJS.ProcessEnv): string | null {
  const cacheDir = env.PUPPETEER_CACHE_DIR || path.join(os.homedir(), '.cache', 'puppeteer');
  const layouts: [string, string][] = [
    ['chrome-headless-shell', 'chrome-headless-shell-linux64/chrome-headless-shell'],
    ['chrome', 'chrome-linux64/chrome'],
  ];
  for (const [browser, relative] of layouts) {
    const dir = path.join(cacheDir, browser);
    if (!existsSync(dir)) continue;
    const builds = readdirSync(dir).sort().reverse();
    for (const build of builds) {
      const candidate = path.join(dir, build, relative);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return null;
}

/**
 * A headless shell (chromium-headless-shell, chrome-headless-shell) is headless only and takes
 * plain `--headless` (Puppeteer's headless: 'shell'); a full Chromium runs its new headless mode.
 */
export function isHeadlessShell(executablePath: string): boolean {
  return /headless[-_]shell/i.test(path.basename(executablePath));
}

/** PUPPETEER_EXECUTABLE_PATH, else a system headless shell or Chromium/Chrome, else Puppeteer's own download. */
export function findChromiumExecutable(env: NodeJS.ProcessEnv = process.env): string | null {
  const configured = env.PUPPETEER_EXECUTABLE_PATH;
  if (configured && isExecutableFile(configured)) return configured;
  const system = SYSTEM_BROWSERS.find(isExecutableFile);
  if (system) return system;
  try {
    return puppeteerDownloadedBrowser(env);
  } catch {
    return null;
  }
}
