import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { ApiError } from '../api-error';
import type { Me, WebhookTest } from '../api-types';
import { Field, FormErrors } from '../components/field';
import { webhookTestWords } from '../format';
import { useNow, usePoll } from '../hooks';

export function SettingsView({ me, onSaved }: { me: Me; onSaved: (me: Me) => void }) {
  const [webhookUrl, setWebhookUrl] = useState(me.webhookUrl ?? '');
  const [busy, setBusy] = useState(false);
  const [fields, setFields] = useState<Record<string, string[]>>({});
  const [form, setForm] = useState<string[]>([]);
  const [status, setStatus] = useState('');
  const [test, setTest] = useState<WebhookTest | undefined>(me.webhookTest);
  const [testing, setTesting] = useState(false);
  const [testErrors, setTestErrors] = useState<string[]>([]);
  const now = useNow(5_000);

  // While a test is pending, GET /me (with backoff) until the worker has recorded how it went.
  const pending = test?.state === 'pending';
  const polled = usePoll((signal) => api.meNow(signal), `webhook-test:${test?.id ?? ''}`, pending);
  useEffect(() => {
    if (!pending || !polled.data) return;
    const latest = polled.data.webhookTest;
    // Finished, replaced by another test, or cleared by a new URL: stop waiting for this one.
    if (!latest || latest.id !== test?.id || latest.state !== 'pending') setTest(latest);
  }, [polled.data, pending, test?.id]);

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
      setTest(saved.webhookTest);
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

  async function sendTest() {
    setTesting(true);
    setTestErrors([]);
    try {
      setTest(await api.testWebhook());
    } catch (err) {
      setTestErrors([err instanceof ApiError ? err.message : 'Something went wrong. Try again.']);
    } finally {
      setTesting(false);
    }
  }

  const words = webhookTestWords(test, now);
  const unsaved = (me.webhookUrl ?? '') !== webhookUrl.trim();

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
            <button
              type="button"
              onClick={sendTest}
              disabled={!me.webhookUrl || testing || pending}
              aria-describedby="webhook-test-hint"
            >
              Send test
            </button>
          </div>
          <p id="webhook-test-hint" class="hint">
            {me.webhookUrl
              ? `The test goes to the saved URL${unsaved ? ' (save your change first)' : ''}, marked as a test.`
              : 'Save a webhook URL to send a test.'}
          </p>
          <p role="status" class="ok-text">
            {status}
          </p>
          <FormErrors messages={testErrors} />
          <p role="status" class={`test-result ${words?.tone ?? ''}`}>
            {words?.text ?? ''}
          </p>
        </form>
      </section>
    </main>
  );
}
