import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { findChromiumExecutable, isHeadlessShell } from './chromium-executable';

describe('isHeadlessShell', () => {
  it.each([
    ['/usr/lib/chromium/chromium-headless-shell', true],
    ['/home/u/.cache/puppeteer/chrome-headless-shell/linux-1/chrome-headless-shell', true],
    ['/usr/bin/chromium', false],
    // Only the binary's own name counts, not a directory it sits in.
    ['/opt/headless-shell/chrome', false],
  ])('%s → %s', (p, expected) => {
    expect(isHeadlessShell(p)).toBe(expected);
  });
});

describe('findChromiumExecutable', () => {
  it('takes PUPPETEER_EXECUTABLE_PATH first when it is a file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pw-exe-'));
    const exe = path.join(dir, 'chrome');
    writeFileSync(exe, '');
    try {
      expect(findChromiumExecutable({ PUPPETEER_EXECUTABLE_PATH: exe })).toBe(exe);
      // A path that is not there falls through to the system's browsers.
      expect(
        findChromiumExecutable({
          PUPPETEER_EXECUTABLE_PATH: path.join(dir, 'missing'),
          PUPPETEER_CACHE_DIR: dir,
        }),
      ).not.toBe(path.join(dir, 'missing'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
