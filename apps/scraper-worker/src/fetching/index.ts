export { EgressBlockedError, EgressGuard } from './egress-guard';
export type { GuardedLookup, ResolvedAddress, Resolver } from './egress-guard';
export { FetchError, HttpFetcher } from './http-fetcher';
export type {
  FetchFailureKind,
  FetchedPage,
  HttpFetcherOptions,
  HttpFetcherSettings,
} from './http-fetcher';
export { BrowserPool, BrowserUnavailableError } from './browser-pool';
export type {
  BlockedRequest,
  BrowserPoolOptions,
  BrowserPoolStatus,
  RenderOptions,
  RenderedPage,
} from './browser-pool';
export { findChromiumExecutable, isHeadlessShell } from './chromium-executable';
export { isBlockedResourceType, isTrackerHost } from './request-filter';
export { Semaphore } from './semaphore';
export { EgressProxy } from './egress-proxy';
export type { EgressProxyOptions, EgressRefusal } from './egress-proxy';
export type { AcquireOptions } from './semaphore';
export { MAX_RETRY_AFTER_SECONDS, isBlockedStatus, retryAfterSeconds } from './classify';
export { decodeBody } from './charset';
