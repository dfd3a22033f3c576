import { useState } from 'preact/hooks';
import { api } from '../api';
import { ApiError } from '../api-error';
import type { Me } from '../api-types';
import { Field, FormErrors } from '../components/field';

export function SettingsView({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  const [webhookUrl, setWebhookUrl] = useState(me.webhookUrl ?? '');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [form, setForm] = useState<string[]>([]);
  const [status, setStatus] = useState('');

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    setFields({});
    setForm([]);
    setStatus('');
    try {
      const saved = await api.updateMe(webhookUrl.trim() ? webhookUrl.trim() : null);
      onSaved(saved);
      setWebhookUrl(saved.webhookUrl ?? '');
      setStatus(saved.webhookUrl ? 'Webhook saved.' : 'Webhook removed.');
    } catch (err) {
      if (err instanceof ApiError) {
        const split = err.split(['webhookUrl']);
        setFields(split.fields);
        setForm(split.form);
      } else setForm(['Something went wrong. Try again.']);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main">
      <h1 tabIndex={-1}>Settings</h1>
      <section class="card" aria-labelledby="account-heading">
        <h2 id="account-heading">Account</h2>
        <p>
          Signed in as <strong>{me.email}</strong>.
        </p>
      </section>
      <section class="card" aria-labelledby="webhook-heading">
        <h2 id="webhook-heading">Webhook</h2>
        <p class="hint">
          Alerts are also POSTed as JSON to this URL (Slack- and Discord-compatible). Leave it empty
          to turn the webhook off.
        </p>
        <form onSubmit={save} noValidate class="stack">
          <FormErrors messages={form} />
          <Field id="webhook-url" label="Webhook URL" errors={fields.webhookUrl}>
            {(describedBy, invalid) => (
              <input
                id="webhook-url"
                type="url"
                inputMode="url"
                autoComplete="off"
                value={webhookUrl}
                onInput={(e) => setWebhookUrl(e.currentTarget.value)}
                aria-describedby={describedBy}
                aria-invalid={invalid}
              />
            )}
          </Field>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              Save
            </button>
          </div>
          <p role="status" class="ok-text">
            {status}
          </p>
        </form>
      </section>
    </main>
  );
}
