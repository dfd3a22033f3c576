import { useState } from 'preact/hooks';
import { api, type NewJob } from '../api';
import { ApiError } from '../api-error';
import type { Job } from '../api-types';
import {
  ConfirmDelete,
  CURRENCIES,
  EditJobForm,
  IntervalSelect,
  Sparkline,
} from '../components/controls';
import { Field, FormErrors } from '../components/field';
import { JobFacts } from '../components/job-facts';
import { shopHost } from '../format';
import { useNow, usePoll } from '../hooks';
import { href } from '../router';

const ADD_FIELDS = ['url', 'targetPrice', 'currency', 'checkIntervalMinutes', 'selector'];

function AddProduct({ onAdded }: { onAdded: (job: Job) => void }) {
  const [url, setUrl] = useState('');
  const [targetPrice, setTargetPrice] = useState('');
  const [currency, setCurrency] = useState('USD');
  const [interval, setEvery] = useState(60);
  const [selector, setSelector] = useState('');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [form, setForm] = useState<string[]>([]);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setFields({});
    setForm([]);
    try {
      const body: NewJob = {
        url: url.trim(),
        targetPrice: targetPrice.trim(),
        currency,
        checkIntervalMinutes: interval,
      };
      if (selector.trim()) body.selector = selector.trim();
      const job = await api.createJob(body);
      setUrl('');
      setTargetPrice('');
      setSelector('');
      onAdded(job);
    } catch (err) {
      if (err instanceof ApiError) {
        const split = err.split(ADD_FIELDS);
        setFields(split.fields);
        setForm(split.form);
      } else setForm(['Something went wrong. Try again.']);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section class="card" aria-labelledby="add-heading">
      <h2 id="add-heading">Track a product</h2>
      <form onSubmit={submit} noValidate class="stack">
        <FormErrors messages={form} />
        <Field
          id="add-url"
          label="Product URL"
          errors={fields.url}
          hint="The product page, starting with https://"
        >
          {(describedBy, invalid) => (
            <input
              id="add-url"
              type="url"
              inputMode="url"
              autoComplete="off"
              required
              value={url}
              onInput={(e) => setUrl(e.currentTarget.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            />
          )}
        </Field>
        <div class="row">
          <Field
            id="add-target"
            label="Target price"
            errors={fields.targetPrice}
            hint="For example 199.99"
          >
            {(describedBy, invalid) => (
              <input
                id="add-target"
                inputMode="decimal"
                autoComplete="off"
                required
                value={targetPrice}
                onInput={(e) => setTargetPrice(e.currentTarget.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          <Field id="add-currency" label="Currency" errors={fields.currency}>
            {(describedBy, invalid) => (
              <select
                id="add-currency"
                value={currency}
                onChange={(e) => setCurrency(e.currentTarget.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              >
                {CURRENCIES.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id="add-interval" label="Check every" errors={fields.checkIntervalMinutes}>
            {(describedBy, invalid) => (
              <IntervalSelect
                id="add-interval"
                value={interval}
                onChange={setEvery}
                describedBy={describedBy}
                invalid={invalid}
              />
            )}
          </Field>
        </div>
        <details class="more" open={Boolean(fields.selector)}>
          <summary>More options</summary>
          <Field
            id="add-selector"
            label="CSS selector (optional)"
            errors={fields.selector}
            hint="Only when the price found automatically is the wrong one, e.g. #price .amount"
          >
            {(describedBy, invalid) => (
              <input
                id="add-selector"
                autoComplete="off"
                spellcheck={false}
                value={selector}
                onInput={(e) => setSelector(e.currentTarget.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
        </details>
        <div class="actions">
          <button type="submit" class="primary" disabled={busy}>
            Track
          </button>
        </div>
      </form>
    </section>
  );
}

/** Pause/resume, edit, delete: the same actions in the list and on the product page. */
export function JobActions({
  job,
  onChanged,
  onDeleted,
  onDeleting,
  context,
}: {
  job: Job;
  onChanged: (job?: Job) => void;
  onDeleted: () => void;
  /** true right before the delete is sent, false if it failed. */
  onDeleting?: (deleting: boolean) => void;
  /** Appended (for screen readers only) to the buttons' names in the list. */
  context?: string;
}) {
  const [mode, setMode] = useState<'idle' | 'edit' | 'delete'>('idle');
  const [error, setError] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const paused = job.status === 'paused';
  const canResume = paused || job.status === 'failed';
  const suffix = context ? <span class="sr-only"> {context}</span> : null;

  async function togglePause() {
    setBusy(true);
    setError([]);
    try {
      onChanged(await api.updateJob(job.id, { paused: !canResume }));
    } catch (err) {
      setError([err instanceof Error ? err.message : 'Could not change the product.']);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div class="job-actions">
      <FormErrors messages={error} />
      {mode === 'edit' ? (
        <EditJobForm
          job={job}
          onDone={(saved) => {
            setMode('idle');
            onChanged(saved);
          }}
        />
      ) : (
        <div class="actions">
          <button type="button" onClick={togglePause} disabled={busy}>
            {canResume ? 'Resume' : 'Pause'}
            {suffix}
          </button>
          <button type="button" onClick={() => setMode('edit')} aria-expanded="false">
            Edit{suffix}
          </button>
          <button type="button" class="danger-outline" onClick={() => setMode('delete')}>
            Delete{suffix}
          </button>
        </div>
      )}
      {mode === 'delete' && (
        <ConfirmDelete
          job={job}
          onCancel={() => setMode('idle')}
          onDeleting={onDeleting}
          onDeleted={onDeleted}
        />
      )}
    </div>
  );
}

function ProductItem({ job, now, refresh }: { job: Job; now: number; refresh: () => void }) {
  const name = job.title ?? shopHost(job.url);
  const headingId = `job-${job.id}`;
  return (
    <li>
      <article class="card product" aria-labelledby={headingId}>
        <div class="product-head">
          <div class="product-name">
            <h3 id={headingId}>
              <a href={href({ name: 'product', id: job.id })}>{name}</a>
            </h3>
            <p class="host">{shopHost(job.url)}</p>
          </div>
          <Sparkline job={job} />
        </div>
        <JobFacts job={job} now={now} />
        <JobActions job={job} context={name} onChanged={refresh} onDeleted={refresh} />
      </article>
    </li>
  );
}

export function ProductsView() {
  const now = useNow();
  const { data, error, refresh } = usePoll((signal) => api.jobs(signal), 'jobs');
  const [announce, setAnnounce] = useState('');
  const jobs = data?.jobs ?? [];
  return (
    <main id="main">
      <h1 tabIndex={-1}>Products</h1>
      <AddProduct
        onAdded={(job) => {
          setAnnounce(`Tracking ${job.url}. The first check is on its way.`);
          refresh();
        }}
      />
      <p class="sr-only" role="status">
        {announce}
      </p>
      <section aria-labelledby="list-heading">
        <h2 id="list-heading">Tracked products</h2>
        {error && !data && (
          <p class="form-errors" role="alert">
            {error.message}
          </p>
        )}
        {!data && !error && <p class="muted">Loading…</p>}
        {data && jobs.length === 0 && (
          <p class="muted">Nothing tracked yet. Paste a product URL above to start.</p>
        )}
        {jobs.length > 0 && (
          <ul class="products">
            {jobs.map((job) => (
              <ProductItem key={job.id} job={job} now={now} refresh={refresh} />
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}
