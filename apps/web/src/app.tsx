import { useEffect, useState } from 'preact/hooks';
import { api, setUnauthorizedHandler } from './api';
import { ApiError } from './api-error';
import type { Me } from './api-types';
import { parseRoute, type Route } from './router';
import { AlertsView } from './views/alerts';
import { AuthView } from './views/auth';
import { ProductView } from './views/product';
import { ProductsView } from './views/products';
import { SettingsView } from './views/settings';

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

/** Moves focus to the new page's heading, so keyboard and screen-reader users land on it. */
function useFocusHeading(key: string): void {
  useEffect(() => {
    const h1 = document.querySelector<HTMLElement>('main h1');
    if (h1 && document.activeElement === document.body) h1.focus({ preventScroll: true });
    else if (h1 && key) h1.focus({ preventScroll: true });
  }, [key]);
}

export function App() {
  const route = useRoute();
  // undefined: not known yet; null: signed out.
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [bootError, setBootError] = useState<string>();
  const [signingOut, setSigningOut] = useState(false);

  const loadMe = () =>
    api.me(true).then(
      (m) => {
        setMe(m);
        setBootError(undefined);
      },
      (err: unknown) => {
        if (err instanceof ApiError && err.status === 401) setMe(null);
        else setBootError(err instanceof Error ? err.message : String(err));
      },
    );

  useEffect(() => {
    setUnauthorizedHandler(() => setMe(null));
    void loadMe();
  }, []);

  const routeKey = me ? JSON.stringify(route) : me === null ? `auth:${route.name}` : '';
  useFocusHeading(routeKey);

  if (me === undefined) {
    return (
      <main id="main">
        <h1 tabIndex={-1}>pricewatch</h1>
        {bootError ? (
          <div role="alert" class="form-errors">
            <p>{bootError}</p>
            <button type="button" onClick={() => void loadMe()}>
              Try again
            </button>
          </div>
        ) : (
          <p class="muted">Loading…</p>
        )}
      </main>
    );
  }
  if (me === null) {
    return (
      <AuthView
        mode={route.name === 'signup' ? 'signup' : 'signin'}
        onSignedIn={() => {
          if (route.name === 'signin' || route.name === 'signup') location.hash = '#/';
          void loadMe();
        }}
      />
    );
  }

  async function signOut() {
    // Unmount the views first, so that no poll races the sign-out into a 401.
    setSigningOut(true);
    try {
      await api.signOut();
    } catch {
      // Signed out already (401) or unreachable: either way the page forgets the session.
    }
    setSigningOut(false);
    setMe(null);
    location.hash = '#/signin';
  }

  if (signingOut) {
    return (
      <main id="main">
        <h1 tabIndex={-1}>Signing out…</h1>
      </main>
    );
  }

  const current = (name: Route['name']) =>
    route.name === name || (name === 'products' && route.name === 'product') ? 'page' : undefined;

  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.querySelector<HTMLElement>('main h1')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/">
          pricewatch
        </a>
        <nav aria-label="Main">
          <a href="#/" aria-current={current('products')}>
            Products
          </a>
          <a href="#/alerts" aria-current={current('alerts')}>
            Alerts
          </a>
          <a href="#/settings" aria-current={current('settings')}>
            Settings
          </a>
        </nav>
        <div class="account">
          <span class="who" title={me.email}>
            {me.email}
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      {route.name === 'product' ? (
        <ProductView id={route.id} />
      ) : route.name === 'alerts' ? (
        <AlertsView />
      ) : route.name === 'settings' ? (
        <SettingsView me={me} onSaved={setMe} />
      ) : (
        <ProductsView />
      )}
    </>
  );
}
