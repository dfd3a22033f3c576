/**
 * Hash routes ("#/products/<id>"): the gateway serves one index.html at `/`, and no client route
 * can ever collide with /api, /docs, /health or /metrics.
 */
export type Route =
  | { name: 'products' }
  | { name: 'product'; id: string }
  | { name: 'alerts' }
  | { name: 'settings' }
  | { name: 'signin' }
  | { name: 'signup' };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/\/+$/, '') || '/';
  const parts = path.split('/').filter(Boolean);
  if (parts.length === 0) return { name: 'products' };
  if (parts[0] === 'products' && parts.length === 2 && UUID.test(parts[1]))
    return { name: 'product', id: parts[1].toLowerCase() };
  if (parts.length === 1 && ['alerts', 'settings', 'signin', 'signup'].includes(parts[0]))
    return { name: parts[0] as 'alerts' | 'settings' | 'signin' | 'signup' };
  return { name: 'products' };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'product':
      return `#/products/${route.id}`;
    case 'products':
      return '#/';
    default:
      return `#/${route.name}`;
  }
}
