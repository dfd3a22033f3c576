import dns from 'node:dns';
import {
  EgressAllowList,
  checkTrackableUrl,
  effectivePort,
  isIpLiteral,
  isPublicAddress,
} from '@app/jobs-domain';

/** A request refused by the egress policy. The message is safe to store as a job's reason. */
export class EgressBlockedError extends Error {
  readonly code = 'EGRESS_BLOCKED';

  constructor(message: string) {
    super(message);
    this.name = 'EgressBlockedError';
  }
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address the OS would give a socket; injectable for tests. */
export type Resolver = (hostname: string, family: number) => Promise<ResolvedAddress[]>;

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address?: string | ResolvedAddress[],
  family?: number,
) => void;

export type GuardedLookup = (
  hostname: string,
  options: object,
  cb: (...args: any[]) => void, // eslint-disable-line @typescript-eslint/no-explicit-any
) => void;

const systemResolver: Resolver = async (hostname, family) =>
  dns.promises.lookup(hostname, { all: true, verbatim: true, family: family as 0 | 4 | 6 });

// Port-less allow-list entries match any port, port-specific ones never match port 0, so this asks
// "is the host allowed whatever the port" through EgressAllowList's public API.
const ANY_PORT = '0';

const NON_PUBLIC = 'host resolves to a private, loopback, link-local or reserved address';

function normaliseHost(hostname: string): string {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  return h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
}

/**
 * The worker's egress policy. assertAllowed is the early, readable check; the socket-level lookup
 * is the one that cannot be raced, because it judges the very addresses the socket connects to.
 */
export class EgressGuard {
  /**
   * For sockets whose port is unknown to the lookup: only port-less allow-list entries apply.
   * Prefer lookupForPort when the port is known (the HTTP fetcher does).
   */
  readonly lookup: GuardedLookup;
  private readonly resolver: Resolver;
  private readonly portLookups = new Map<string, GuardedLookup>();

  constructor(
    private readonly allow: EgressAllowList,
    options: { resolver?: Resolver } = {},
  ) {
    this.resolver = options.resolver ?? systemResolver;
    this.lookup = this.makeLookup(ANY_PORT);
  }

  get allowList(): EgressAllowList {
    return this.allow;
  }

  /** Throws EgressBlockedError when the URL may not be fetched; DNS failures propagate as is. */
  async assertAllowed(url: URL): Promise<void> {
    const verdict = checkTrackableUrl(url.href, this.allow);
    if (!verdict.ok) throw new EgressBlockedError(verdict.reason);
    const host = normaliseHost(url.hostname);
    if (this.allow.allows(host, effectivePort(url))) return;
    // checkTrackableUrl already judged literal addresses by value.
    if (isIpLiteral(host)) return;
    const addresses = await this.resolver(host, 0);
    if (addresses.length === 0) throw new EgressBlockedError('host has no address');
    if (!addresses.every((a) => isPublicAddress(a.address)))
      throw new EgressBlockedError(NON_PUBLIC);
  }

  /** Whether a socket may connect to this literal address; net.connect skips lookup for those. */
  allowsAddress(address: string, port: string): boolean {
    return this.allow.allows(normaliseHost(address), port) || isPublicAddress(address);
  }

  /** A dns.lookup-compatible function that also honours allow-list entries for this port. */
  lookupForPort(port: string | number): GuardedLookup {
    const key = String(port);
    let fn = this.portLookups.get(key);
    if (!fn) {
      fn = this.makeLookup(key);
      this.portLookups.set(key, fn);
    }
    return fn;
  }

  private makeLookup(port: string): GuardedLookup {
    return (hostname, options, callback) => {
      const cb = callback as LookupCallback;
      const opts = (options ?? {}) as { all?: boolean; family?: number | string };
      const family =
        opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family) || 0;
      const host = normaliseHost(hostname);
      const allowed = this.allow.allows(host, port);
      const resolved: Promise<ResolvedAddress[]> = isIpLiteral(host)
        ? Promise.resolve([{ address: host, family: host.includes(':') ? 6 : 4 }])
        : this.resolver(host, family);
      resolved.then(
        (addresses) => {
          if (addresses.length === 0) {
            return cb(Object.assign(new Error(`no address for ${host}`), { code: 'ENOTFOUND' }));
          }
          if (!allowed && !addresses.every((a) => isPublicAddress(a.address))) {
            return cb(new EgressBlockedError(NON_PUBLIC));
          }
          if (opts.all) return cb(null, addresses);
          cb(null, addresses[0].address, addresses[0].family);
        },
        (err: NodeJS.ErrnoException) => cb(err),
      );
    };
  }
}
