import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { Backoff } from './backoff';

export interface Polled<T> {
  data?: T;
  error?: Error;
  /** Loads again now and resets the backoff (after the user changed something). */
  refresh: () => void;
}

/**
 * Loads `load()` now and again later, without a page reload: quickly while the data changes,
 * slower while it does not, slower still after errors, and not at all while the tab is hidden.
 * `key` names what is loaded; a new key starts over. Disabled, it stops (and aborts) polling.
 */
export function usePoll<T>(
  load: (signal: AbortSignal) => Promise<T>,
  key: string,
  enabled = true,
): Polled<T> {
  const [state, setState] = useState<{ key: string; data?: T; error?: Error }>({ key });
  const kick = useRef<() => void>(() => undefined);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    if (!enabled) return;
    const backoff = new Backoff();
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: string | undefined;
    let running = false;
    let stopped = false;

    const schedule = (ms: number) => {
      clearTimeout(timer);
      if (stopped) return;
      timer = setTimeout(run, ms);
    };
    async function run(): Promise<void> {
      if (stopped || running) return;
      if (document.hidden) return; // resumed by visibilitychange
      running = true;
      let result: 'changed' | 'same' | 'error';
      try {
        const data = await loadRef.current(abort.signal);
        const text = JSON.stringify(data);
        result = text === last ? 'same' : 'changed';
        last = text;
        if (!stopped) setState({ key, data, error: undefined });
      } catch (err) {
        if (stopped || (err as Error).name === 'AbortError') return;
        result = 'error';
        setState((s) => ({ ...s, key, error: err as Error }));
      } finally {
        running = false;
      }
      schedule(backoff.next(result));
    }
    const onVisible = () => {
      if (!document.hidden) {
        backoff.reset();
        schedule(0);
      }
    };
    kick.current = () => {
      backoff.reset();
      schedule(0);
    };
    document.addEventListener('visibilitychange', onVisible);
    void run();
    return () => {
      stopped = true;
      clearTimeout(timer);
      abort.abort();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [key, enabled]);

  const refresh = useCallback(() => kick.current(), []);
  return state.key === key ? { data: state.data, error: state.error, refresh } : { refresh };
}

/** The element's content width, kept current (the chart draws at real pixels, not a scaled box). */
export function useWidth<E extends HTMLElement>(fallback = 640) {
  const ref = useRef<E>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(240, Math.floor(el.clientWidth)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return { ref, width };
}

/** A clock that ticks every `ms`, for "5 minutes ago" texts. */
export function useNow(ms = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(t);
  }, [ms]);
  return now;
}
