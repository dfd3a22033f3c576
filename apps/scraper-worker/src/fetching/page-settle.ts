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

/**
 * Runs in the page: at the first DOM change (but not before minMs, so a page that mutates
 * constantly is not read constantly), or after maxMs without one, resolves with whether it
 * changed and the document's HTML as page.content() serialises it: one round trip per poll.
 */
const READ_AFTER_CHANGE = `(minMs, maxMs) => new Promise((resolve) => {
  const start = Date.now();
  let changed = false;
  const read = () => {
    let html = '';
    for (const node of document.childNodes)
      html += node === document.documentElement ? node.outerHTML : new XMLSerializer().serializeToString(node);
    return html;
  };
  const finish = (value) => { observer.disconnect(); clearTimeout(maxTimer); resolve({ changed: value, html: read() }); };
  const observer = new MutationObserver(() => {
    if (changed) return;
    changed = true;
    setTimeout(() => finish(true), Math.max(0, minMs - (Date.now() - start)));
  });
  observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
  const maxTimer = setTimeout(() => finish(changed), maxMs);
})`;

const MIN_POLL_MS = 100;

/**
 * Reads the page until `isComplete` holds for its HTML (the extractor has what it needs), or it
 * settles without (network idle and no DOM change for quietMs), or `budgetMs()` runs out; returns
 * the last HTML read.
 */
export async function settleUntil(
  page: Page,
  isComplete: (html: string) => boolean,
  quietMs: number,
  budgetMs: () => number,
): Promise<string> {
  const deadline = performance.now() + budgetMs();
  let idle = false;
  void page
    .waitForNetworkIdle({ idleTime: quietMs, timeout: budgetMs() || 1 })
    .then(() => {
      idle = true;
    })
    .catch(noop);
  let html = await page.content();
  for (;;) {
    if (isComplete(html)) return html;
    const rest = Math.round(deadline - performance.now());
    if (rest <= 0) return html;
    const read = await page
      .evaluate(`(${READ_AFTER_CHANGE})(${MIN_POLL_MS}, ${Math.min(quietMs, rest)})`)
      .catch(() => null);
    const polled = read as { changed: boolean; html: string } | null;
    if (polled === null || typeof polled.html !== 'string') {
      // The document went away (a navigation): read the next one.
      html = await page.content();
      continue;
    }
    html = polled.html;
    if (!polled.changed && idle) return html;
  }
}
