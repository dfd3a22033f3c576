import type { Page } from 'puppeteer';

function noop(): void {}

/**
 * Runs in the page: resolves once the DOM has not changed for quietMs, or after maxMs. Kept as
 * source text so no transpiler helper (tsx's __name, coverage counters) leaks into the page.
 */
const WAIT_FOR_QUIET_DOM = `(quietMs, maxMs) => new Promise((resolve) => {
  let quietTimer;
  const done = () => {
    observer.disconnect();
    clearTimeout(quietTimer);
    clearTimeout(maxTimer);
    resolve();
  };
  const observer = new MutationObserver(() => {
    clearTimeout(quietTimer);
    quietTimer = setTimeout(done, quietMs);
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true });
  quietTimer = setTimeout(done, quietMs);
  const maxTimer = setTimeout(done, maxMs);
})`;

/**
 * Waits, within `budgetMs()`, for scripts to finish filling in the page: first a quiet network,
 * then a DOM with no mutation for `quietMs`.
 */
export async function settlePage(
  page: Page,
  quietMs: number,
  budgetMs: () => number,
): Promise<void> {
  const deadline = performance.now() + budgetMs();
  await page.waitForNetworkIdle({ idleTime: quietMs, timeout: budgetMs() || 1 }).catch(noop);
  const rest = Math.round(Math.max(0, deadline - performance.now()));
  if (rest === 0) return;
  await page.evaluate(`(${WAIT_FOR_QUIET_DOM})(${Math.min(quietMs, rest)}, ${rest})`).catch(noop);
}
