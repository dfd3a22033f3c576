import type { Job } from '../api-types';
import {
  availabilityWords,
  dateTime,
  formatMoney,
  intervalWords,
  relativeTime,
  statusView,
} from '../format';

export function Status({ job }: { job: Job }) {
  const s = statusView(job);
  return (
    <span class={`status tone-${s.tone}`}>
      <span class="status-words">{s.words}</span>
      {s.detail && <span class="status-detail">{s.detail}</span>}
    </span>
  );
}

export function When({ iso, now, empty = 'never' }: { iso?: string; now: number; empty?: string }) {
  if (!iso) return <span>{empty}</span>;
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}

export function LastPrice({ job }: { job: Job }) {
  if (!job.lastPrice) return <span class="muted">No price yet</span>;
  return <span class="price">{formatMoney(job.lastPrice, job.lastCurrency ?? job.currency)}</span>;
}

/** The facts of a job as a description list (the list and the product page share it). */
export function JobFacts({ job, now, full = false }: { job: Job; now: number; full?: boolean }) {
  return (
    <dl class="facts">
      <div>
        <dt>Price</dt>
        <dd>
          <LastPrice job={job} />
        </dd>
      </div>
      <div>
        <dt>Target</dt>
        <dd>{formatMoney(job.targetPrice, job.currency)}</dd>
      </div>
      <div>
        <dt>Status</dt>
        <dd>
          <Status job={job} />
        </dd>
      </div>
      <div>
        <dt>Availability</dt>
        <dd>{availabilityWords(job)}</dd>
      </div>
      <div>
        <dt>Last checked</dt>
        <dd>
          <When iso={job.lastCheckedAt} now={now} />
        </dd>
      </div>
      {full && (
        <>
          <div>
            <dt>Checked every</dt>
            <dd>{intervalWords(job.checkIntervalMinutes)}</dd>
          </div>
          <div>
            <dt>Next check</dt>
            <dd>
              <When iso={job.nextCheckAt} now={now} empty="not scheduled" />
            </dd>
          </div>
          {job.selector && (
            <div>
              <dt>CSS selector</dt>
              <dd>
                <code>{job.selector}</code>
              </dd>
            </div>
          )}
        </>
      )}
    </dl>
  );
}
