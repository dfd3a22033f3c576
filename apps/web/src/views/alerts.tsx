import { api } from '../api';
import { dateTime, deliveryWords, formatMoney, shopHost } from '../format';
import { usePoll } from '../hooks';
import { href } from '../router';

export function AlertsView() {
  const { data, error } = usePoll((signal) => api.notifications(signal), 'alerts');
  const list = data?.notifications ?? [];
  return (
    <main id="main">
      <h1 tabIndex={-1}>Alerts</h1>
      <p class="lede">Every price alert pricewatch sent you, newest first.</p>
      {error && !data && (
        <p role="alert" class="form-errors">
          {error.message}
        </p>
      )}
      {!data && !error && <p class="muted">Loading…</p>}
      {data && list.length === 0 && (
        <p class="muted">No alerts yet. You get one when a price falls to your target.</p>
      )}
      {list.length > 0 && (
        <ul class="alerts">
          {list.map((n) => (
            <li key={n.id} class="card">
              <p class="alert-title">
                <a href={href({ name: 'product', id: n.jobId })}>{n.title ?? shopHost(n.url)}</a>
              </p>
              <p>
                <strong>{formatMoney(n.price, n.currency)}</strong>, at or below your target of{' '}
                {formatMoney(n.targetPrice, n.currency)}
              </p>
              <p class="hint">
                <time dateTime={n.createdAt}>{dateTime(n.createdAt)}</time> · {deliveryWords(n)}
              </p>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
