import { existsSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SYSTEM_BROWSERS = [
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
    ['chrome', 'chrome-linux64/chrome'],
    ['chrome-headless-shell', 'chrome-headless-shell-linux64/chrome-headless-shell'],
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

/** PUPPETEER_EXECUTABLE_PATH, else a system Chromium/Chrome, else Puppeteer's own download. */
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
