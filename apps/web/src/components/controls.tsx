import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../api';
import type { Job } from '../api-types';
import { ApiError } from '../api-error';
import { sparklinePath } from '../chart-data';
import { intervalWords } from '../format';
import { Field, FormErrors } from './field';

export const INTERVALS = [15, 30, 60, 180, 360, 720, 1440];
export const CURRENCIES = [
  'USD',
  'EUR',
  'GBP',
  'CHF',
  'CAD',
  'AUD',
  'JPY',
  'SEK',
  'NOK',
  'DKK',
  'PLN',
  'CZK',
  'INR',
  'BRL',
  'MXN',
];

export function IntervalSelect(props: {
  id: string;
  value: number;
  onChange: (minutes: number) => void;
  describedBy?: string;
  invalid?: boolean;
}) {
  const options = INTERVALS.includes(props.value)
    ? INTERVALS
    : [...INTERVALS, props.value].sort((a, b) => a - b);
  return (
    <select
      id={props.id}
      value={String(props.value)}
      onChange={(e) => props.onChange(Number(e.currentTarget.value))}
      aria-describedby={props.describedBy}
      aria-invalid={props.invalid}
    >
      {options.map((m) => (
        <option key={m} value={String(m)}>
          {intervalWords(m)}
        </option>
      ))}
    </select>
  );
}

/** A small line of the last prices; decorative, since the price is written next to it. */
export function Sparkline({ job }: { job: Job }) {
  const [prices, setPrices] = useState<string[]>([]);
  const key = `${job.id}:${job.lastCheckedAt ?? ''}`;
  useEffect(() => {
    if (!job.lastCheckedAt) return;
    const abort = new AbortController();
    api.history(job.id, 30, abort.signal).then(
      // Price points are ok checks by definition; sparklinePath skips what is not a decimal.
      (h) => setPrices(h.points.map((p) => p.price).reverse()),
      () => undefined,
    );
    return () => abort.abort();
  }, [key]);
  const d = sparklinePath(prices, 96, 28);
  if (!d) return <span class="sparkline sparkline-empty" aria-hidden="true" />;
  return (
    <svg
      class="sparkline"
      width="96"
      height="28"
      viewBox="0 0 96 28"
      aria-hidden="true"
      focusable="false"
    >
      <path d={d} />
    </svg>
  );
}

/** Edit the target price and the check interval. */
export function EditJobForm({
  job,
  onDone,
}: {
  job: Job;
  onDone: (saved: Job | undefined) => void;
}) {
  const [target, setTarget] = useState(job.targetPrice);
  const [interval, setEvery] = useState(job.checkIntervalMinutes);
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [form, setForm] = useState<string[]>([]);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const id = `edit-${job.id}`;

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setFields({});
    setForm([]);
    try {
      const change: { targetPrice?: string; checkIntervalMinutes?: number } = {};
      if (target.trim() !== job.targetPrice) change.targetPrice = target.trim();
      if (interval !== job.checkIntervalMinutes) change.checkIntervalMinutes = interval;
      onDone(Object.keys(change).length ? await api.updateJob(job.id, change) : undefined);
    } catch (err) {
      if (err instanceof ApiError) {
        const split = err.split(['targetPrice', 'checkIntervalMinutes']);
        setFields(split.fields);
        setForm(split.form);
      } else setForm(['Something went wrong. Try again.']);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="edit stack" onSubmit={save} noValidate>
      <FormErrors messages={form} />
      <div class="row">
        <Field id={`${id}-target`} label="Target price" errors={fields.targetPrice}>
          {(describedBy, invalid) => (
            <input
              ref={first}
              id={`${id}-target`}
              inputMode="decimal"
              autoComplete="off"
              value={target}
              onInput={(e) => setTarget(e.currentTarget.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            />
          )}
        </Field>
        <Field id={`${id}-interval`} label="Check every" errors={fields.checkIntervalMinutes}>
          {(describedBy, invalid) => (
            <IntervalSelect
              id={`${id}-interval`}
              value={interval}
              onChange={setEvery}
              describedBy={describedBy}
              invalid={invalid}
            />
          )}
        </Field>
      </div>
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Save
        </button>
        <button type="button" onClick={() => onDone(undefined)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Asks before deleting: a modal dialog, so focus stays inside it until the user answers. */
export function ConfirmDelete({
  job,
  onCancel,
  onDeleted,
  onDeleting,
}: {
  job: Job;
  onCancel: () => void;
  onDeleted: () => void;
  onDeleting?: (deleting: boolean) => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const [error, setError] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    ref.current?.showModal();
  }, []);
  const name = job.title ?? job.url;
  async function confirm() {
    setBusy(true);
    onDeleting?.(true);
    try {
      await api.deleteJob(job.id);
      ref.current?.close();
      onDeleted();
    } catch (err) {
      onDeleting?.(false);
      setError([err instanceof Error ? err.message : 'Could not delete.']);
      setBusy(false);
    }
  }
  return (
    <dialog
      ref={ref}
      class="confirm"
      aria-labelledby={`confirm-${job.id}`}
      onCancel={(e) => {
        e.preventDefault();
        ref.current?.close();
        onCancel();
      }}
    >
      <h2 id={`confirm-${job.id}`}>Delete this product?</h2>
      <p>
        “{name}” and its price history will be deleted. Alerts already sent stay in your alerts
        list.
      </p>
      <FormErrors messages={error} />
      <div class="actions">
        <button type="button" class="danger" onClick={confirm} disabled={busy}>
          Delete
        </button>
        <button
          type="button"
          onClick={() => {
            ref.current?.close();
            onCancel();
          }}
        >
          Cancel
        </button>
      </div>
    </dialog>
  );
}
