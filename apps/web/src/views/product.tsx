import { useState } from 'preact/hooks';
import { api } from '../api';
import type { Job } from '../api-types';
import { chartName, shapeHistory } from '../chart-data';
import { PriceChart } from '../components/chart';
import { JobFacts, When } from '../components/job-facts';
import {
  checkAvailabilityWords,
  dateTime,
  deliveryWords,
  durationWords,
  formatMoney,
  OUTCOME_WORDS,
  shopHost,
} from '../format';
import { useNow, usePoll } from '../hooks';
import { JobActions } from './products';

export function ProductView({ id }: { id: string }) {
  const now = useNow();
  // Set just before the delete is sent: polling a job that is going away would only get 404s.
  const [deleting, setDeleting] = useState(false);
  const live = !deleting;
  const job = usePoll((signal) => api.job(id, signal), `job:${id}`, live);
  // Every check, priced or not: the table lists them all, the chart draws the priced ones.
  const history = usePoll((signal) => api.checks(id, 100, signal), `checks:${id}`, live);
  const alerts = usePoll((signal) => api.notifications(signal), `alerts:${id}`, live);
  const j = job.data;

  if (!j) {
    return (
      <main id="main">
        <p>
          <a href="#/">← All products</a>
        </p>
        <h1 tabIndex={-1}>Product</h1>
        {job.error ? (
          <p role="alert" class="form-errors">
            {job.error.message}
          </p>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </main>
    );
  }

  const title = j.title ?? shopHost(j.url);
  const model = shapeHistory(history.data?.checks ?? [], j, now);
  const sent = (alerts.data?.notifications ?? []).filter((n) => n.jobId === id);
  const refresh = (saved?: Job) => {
    void saved;
    job.refresh();
    history.refresh();
  };

  return (
    <main id="main" class="product-page">
      <p>
        <a href="#/">← All products</a>
      </p>
      <h1 tabIndex={-1}>{title}</h1>
      <p class="host">
        <a href={j.url} rel="noopener noreferrer nofollow" target="_blank">
          {j.url}
          <span class="sr-only"> (opens the shop in a new tab)</span>
        </a>
      </p>
      <div class="card">
        <JobFacts job={j} now={now} full />
        <JobActions
          job={j}
          onChanged={refresh}
          onDeleting={setDeleting}
          onDeleted={() => {
            location.hash = '#/';
          }}
        />
      </div>

      <section class="card" aria-labelledby="history-heading">
        <h2 id="history-heading">Price history</h2>
        <PriceChart model={model} name={chartName(model, title)} />
        <table class="checks">
          <caption>Checks, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Checked</th>
              <th scope="col">Outcome</th>
              <th scope="col" class="avail">
                Availability
              </th>
              <th scope="col" class="num">
                Price
              </th>
            </tr>
          </thead>
          <tbody>
            {model.checks.length === 0 && (
              <tr>
                <td colSpan={4} class="muted">
                  No checks recorded yet.
                </td>
              </tr>
            )}
            {[...model.checks].reverse().map((c) => (
              <tr key={c.id}>
                <td>
                  <time dateTime={c.checkedAt}>{dateTime(c.checkedAt)}</time>
                  {c.durationMs !== undefined && (
                    <span class="status-detail">took {durationWords(c.durationMs)}</span>
                  )}
                </td>
                <td>
                  {OUTCOME_WORDS[c.outcome] ?? c.outcome}
                  {c.reason && <span class="status-detail">{c.reason}</span>}
                  {/* On a phone the availability column folds into this cell (styles.css). */}
                  <span class="status-detail avail-inline">{checkAvailabilityWords(c)}</span>
                </td>
                <td class="avail">{checkAvailabilityWords(c)}</td>
                <td class="num">{c.price ? formatMoney(c.price, j.currency) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {j.lastOutcome && j.lastOutcome !== 'ok' && (
          <p class="hint">
            Last check (<When iso={j.lastCheckedAt} now={now} />
            ): {OUTCOME_WORDS[j.lastOutcome]}
            {j.failureReason ? ` — ${j.failureReason}` : ''}
          </p>
        )}
      </section>

      <section class="card" aria-labelledby="sent-heading">
        <h2 id="sent-heading">Alerts sent</h2>
        {sent.length === 0 ? (
          <p class="muted">No alert for this product yet.</p>
        ) : (
          <ul class="plain">
            {sent.map((n) => (
              <li key={n.id}>
                {formatMoney(n.price, n.currency)} (target {formatMoney(n.targetPrice, n.currency)}
                ), <time dateTime={n.createdAt}>{dateTime(n.createdAt)}</time>
                {` — ${deliveryWords(n)}`}
              </li>
            ))}
          </ul>
        )}
      </section>
    </main>
  );
}
