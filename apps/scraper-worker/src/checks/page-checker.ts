import { Logger } from '@nestjs/common';
import { Job } from '@app/jobs-domain';
import { extractProduct, ExtractionResult } from '@app/extraction';
import {
  BrowserPool,
  FetchError,
  HttpFetcher,
  isBlockedStatus,
  retryAfterSeconds,
} from '../fetching';
import { Observation } from './check-decision';

const OUT_OF_STOCK = new Set(['OutOfStock', 'SoldOut', 'Discontinued']);

export type CheckPath = 'http' | 'browser';

export interface PageCheck {
  observation: Observation;
  path: CheckPath;
}

/**
 * Fetches and reads one product page: plain HTTP first, the shared browser only when the static
 * page gives no price or its site profile says it needs JavaScript.
 */
export class PageChecker {
  private readonly logger = new Logger(PageChecker.name);

  constructor(
    private readonly http: HttpFetcher,
    private readonly browser: BrowserPool | null,
  ) {}

  async check(job: Job, signal?: AbortSignal): Promise<PageCheck> {
    const options = { url: job.url, selector: job.selector, jobCurrency: job.currency };
    let page;
    try {
      page = await this.http.fetch(job.url, signal);
    } catch (err) {
      return { observation: fetchFailure(err), path: 'http' };
    }
    if (isBlockedStatus(page.status)) {
      return {
        observation: {
          outcome: 'blocked',
          reason: `The shop answered ${page.status}`,
          retryAfterSeconds: retryAfterSeconds(page.headers),
        },
        path: 'http',
      };
    }
    if (page.status >= 400) {
      return {
        observation: { outcome: 'fetch_error', reason: `The shop answered ${page.status}` },
        path: 'http',
      };
    }
    let result = extractProduct(page.body, { ...options, url: page.url });
    let path: CheckPath = 'http';
    if (
      (result.price === null || result.needsJavaScript) &&
      !result.blocked &&
      this.browser?.status().available
    ) {
      try {
        // The render ends as soon as the extractor finds a price in the DOM.
        const rendered = await this.browser.render(job.url, signal, {
          isComplete: (html) => extractProduct(html, options).price !== null,
        });
        if (rendered.refusedHosts.length > 0) {
          // Destinations only: what the page tried to reach, never what it contained.
          this.logger.warn(
            { jobId: job.jobId, refusedHosts: rendered.refusedHosts },
            'the page tried to reach addresses the egress policy refuses',
          );
        }
        if (isBlockedStatus(rendered.status)) {
          return {
            observation: { outcome: 'blocked', reason: `The shop answered ${rendered.status}` },
            path: 'browser',
          };
        }
        result = extractProduct(rendered.html, { ...options, url: rendered.url });
        path = 'browser';
      } catch (err) {
        if (err instanceof FetchError && err.kind === 'egress_blocked')
          return { observation: fetchFailure(err), path: 'browser' };
        // A render failure after a successful fetch: judge the static page we have.
      }
    }
    return { observation: observe(result), path };
  }
}

function observe(result: ExtractionResult): Observation {
  const s = result.source;
  const base = {
    title: result.title,
    availability: result.availability,
    source: s.price ?? null,
    sources: {
      price: s.price,
      currency: s.currency ?? null,
      availability: s.availability ?? null,
      title: s.title ?? null,
      ...(s.priceNote ? { note: s.priceNote } : {}),
    },
  };
  if (result.blocked)
    return { ...base, outcome: 'blocked', reason: 'The shop showed a captcha or bot check' };
  if (result.availability && OUT_OF_STOCK.has(result.availability)) {
    return { ...base, outcome: 'out_of_stock', price: result.price, currency: result.currency };
  }
  if (result.price === null) return { ...base, outcome: 'price_not_found' };
  if (result.priceUncertain)
    return {
      ...base,
      outcome: 'price_uncertain',
      price: result.price,
      currency: result.currency,
      candidates: result.priceUncertain,
    };
  return { ...base, outcome: 'ok', price: result.price, currency: result.currency };
}

function fetchFailure(err: unknown): Observation {
  if (err instanceof FetchError) {
    const reasons: Record<string, string> = {
      timeout: 'The shop did not answer in time',
      too_large: 'The page is too large',
      egress_blocked: 'The URL leads to an address pricewatch may not fetch',
      too_many_redirects: 'The page redirects too many times',
      bad_content: 'The page is not HTML',
      network: 'The shop could not be reached',
    };
    return { outcome: 'fetch_error', reason: reasons[err.kind] ?? 'The page could not be fetched' };
  }
  return { outcome: 'fetch_error', reason: 'The page could not be fetched' };
}
