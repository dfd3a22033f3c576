import { FetchError } from './http-fetcher';

function noop(): void {}

/**
 * Settles with `work`, unless the deadline passes (FetchError timeout) or the caller aborts
 * (its reason) first. `work` keeps running in the background: its owner cleans up after it.
 */
export async function raceDeadline<T>(
  work: Promise<T>,
  deadlineMs: number,
  signal?: AbortSignal,
): Promise<T> {
  work.catch(noop);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const guards = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new FetchError('timeout', `page not rendered within ${deadlineMs} ms`)),
      deadlineMs,
    );
    if (signal) {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  guards.catch(noop);
  try {
    return await Promise.race([work, guards]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}

/** The FetchError a failed navigation means to a check (Chromium's net::ERR_* codes). */
export function navigationFailure(err: unknown): FetchError {
  const message = err instanceof Error ? err.message : '';
  const netError = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];
  if (netError === 'ERR_NAME_NOT_RESOLVED') return new FetchError('network', 'host name not found');
  if (netError && /TIMED_OUT/.test(netError))
    return new FetchError('timeout', 'the shop did not answer in time');
  return new FetchError(
    'network',
    netError ? `navigation failed (${netError})` : 'navigation failed',
    {
      cause: err,
    },
  );
}
