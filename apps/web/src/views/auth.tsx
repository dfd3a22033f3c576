import { useState } from 'preact/hooks';
import { api } from '../api';
import { ApiError } from '../api-error';
import { Field, FormErrors } from '../components/field';

const FIELDS = ['email', 'password'] as const;

/** Sign in, or sign up and then sign in: either way the session is the HttpOnly cookie. */
export function AuthView({
  mode,
  onSignedIn,
}: {
  mode: 'signin' | 'signup';
  onSignedIn: () => void;
}) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string[]>>({});
  const [formErrors, setFormErrors] = useState<string[]>([]);
  const signingUp = mode === 'signup';

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setFieldErrors({});
    setFormErrors([]);
    try {
      if (signingUp) await api.signUp(email, password);
      await api.signIn(email, password);
      onSignedIn();
    } catch (err) {
      if (err instanceof ApiError) {
        if (err.status === 401) setFormErrors(['Wrong email or password.']);
        else {
          const { fields, form } = err.split(FIELDS);
          setFieldErrors(fields);
          setFormErrors(form);
        }
      } else setFormErrors(['Something went wrong. Try again.']);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="auth">
      <h1 tabIndex={-1}>
        {signingUp ? 'Create your pricewatch account' : 'Sign in to pricewatch'}
      </h1>
      <p class="lede">Track product prices and get told when they drop to your target.</p>
      <form onSubmit={submit} noValidate class="card stack">
        <FormErrors messages={formErrors} />
        <Field id="auth-email" label="Email" errors={fieldErrors.email}>
          {(describedBy, invalid) => (
            <input
              id="auth-email"
              name="email"
              type="email"
              autoComplete={signingUp ? 'email' : 'username'}
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            />
          )}
        </Field>
        <Field
          id="auth-password"
          label="Password"
          errors={fieldErrors.password}
          hint={signingUp ? 'At least 8 characters.' : undefined}
        >
          {(describedBy, invalid) => (
            <input
              id="auth-password"
              name="password"
              type="password"
              autoComplete={signingUp ? 'new-password' : 'current-password'}
              required
              value={password}
              onInput={(e) => setPassword(e.currentTarget.value)}
              aria-describedby={describedBy}
              aria-invalid={invalid}
            />
          )}
        </Field>
        <button type="submit" class="primary" disabled={busy}>
          {signingUp ? 'Sign up' : 'Sign in'}
        </button>
      </form>
      <p class="switch">
        {signingUp ? (
          <>
            Already have an account? <a href="#/signin">Sign in instead</a>
          </>
        ) : (
          <>
            New here? <a href="#/signup">Create an account</a>
          </>
        )}
      </p>
    </main>
  );
}
