import { ApiError, toApiError } from './api-error';
import type {
  CheckList,
  History,
  Job,
  JobChange,
  JobList,
  Me,
  MeChange,
  NewJob,
  NotificationList,
  User,
  WebhookTest,
} from './api-types';

/**
 * The API client. The session is the gateway's HttpOnly cookie: the token the sign-in response
 * carries is never kept, so no script can read a credential. Same-origin requests carry the
 * Origin and Sec-Fetch-Site headers the auth guard checks on writes.
 */
const BASE = '/api/v1';

let onUnauthorized: () => void = () => undefined;

/** Called when the session has ended (401 on a request that needed it). */
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

async function request<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: { signal?: AbortSignal; quiet401?: boolean } = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(BASE + path, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : {
              accept: 'application/json',
              'content-type': 'application/json',
            },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: opts.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'The server cannot be reached. Check your connection.');
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const error = toApiError(res.status, json);
    if (res.status === 401 && !opts.quiet401) onUnauthorized();
    throw error;
  }
  return json as T;
}

export type { JobChange, NewJob };

export const api = {
  signUp: (email: string, password: string) =>
    request<User>('POST', '/signup', { email, password }),
  /** Sets the session cookie; the token in the body is dropped on purpose. */
  signIn: async (email: string, password: string): Promise<void> => {
    await request<unknown>('POST', '/signin', { email, password }, { quiet401: true });
  },
  signOut: () => request<void>('POST', '/signout'),
  me: (quiet401 = false) => request<Me>('GET', '/me', undefined, { quiet401 }),
  updateMe: (webhookUrl: string | null) =>
    request<Me>('PATCH', '/me', { webhookUrl } satisfies MeChange),
  /** Polled while a webhook test is under way. */
  meNow: (signal?: AbortSignal) => request<Me>('GET', '/me', undefined, { signal }),
  /** The worker POSTs the test; GET /me says how it went. */
  testWebhook: () => request<WebhookTest>('POST', '/me/webhook/test'),
  jobs: (signal?: AbortSignal) => request<JobList>('GET', '/jobs?limit=100', undefined, { signal }),
  job: (id: string, signal?: AbortSignal) =>
    request<Job>('GET', `/jobs/${encodeURIComponent(id)}`, undefined, { signal }),
  createJob: (job: NewJob) => request<Job>('POST', '/jobs', job),
  updateJob: (id: string, change: JobChange) =>
    request<Job>('PATCH', `/jobs/${encodeURIComponent(id)}`, change),
  deleteJob: (id: string) => request<void>('DELETE', `/jobs/${encodeURIComponent(id)}`),
  history: (id: string, limit = 100, signal?: AbortSignal) =>
    request<History>('GET', `/jobs/${encodeURIComponent(id)}/history?limit=${limit}`, undefined, {
      signal,
    }),
  checks: (id: string, limit = 100, signal?: AbortSignal) =>
    request<CheckList>('GET', `/jobs/${encodeURIComponent(id)}/checks?limit=${limit}`, undefined, {
      signal,
    }),
  notifications: (signal?: AbortSignal) =>
    request<NotificationList>('GET', '/notifications?limit=100', undefined, { signal }),
};
