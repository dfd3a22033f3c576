import ipaddr from 'ipaddr.js';

/**
 * Which URLs pricewatch may fetch, in one place for the gateway (literal checks when a job is
 * created) and the worker (the egress guard, which also checks every address it connects to).
 * Address rules come from ipaddr.js rather than string matching, so every spelling of an address
 * (decimal, hex, octal, IPv4-mapped IPv6, NAT64, 6to4) is judged by its value.
 */
export const MAX_URL_LENGTH = 2048;

/** Hosts allowed despite being private or loopback, from EGRESS_ALLOW_HOSTS ("host" or "host:port"). */
export class EgressAllowList {
  private readonly entries: { host: string; port?: string }[];

  constructor(list: readonly string[]) {
    this.entries = list.map((raw) => {
      const entry = raw.trim().toLowerCase();
      const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
      if (bracketed) return { host: bracketed[1], port: bracketed[2] };
      const m = /^([^:]+):(\d+)$/.exec(entry);
      return m ? { host: m[1], port: m[2] } : { host: entry };
    });
  }

  static fromEnv(value: string | undefined): EgressAllowList {
    return new EgressAllowList((value ?? '').split(',').filter((s) => s.trim().length > 0));
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** `host` without brackets; `port` the effective port as a string. */
  allows(host: string, port: string): boolean {
    const h = stripBrackets(host.toLowerCase()).replace(/\.$/, '');
    return this.entries.some((e) => e.host === h && (e.port === undefined || e.port === port));
  }
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Embedded IPv4 of the IPv6 forms that translate to IPv4, or null. */
function embeddedIPv4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  const range = addr.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') return addr.toIPv4Address();
  const bytes = addr.toByteArray();
  if (range === 'rfc6052') return new ipaddr.IPv4(bytes.slice(12, 16));
  if (range === '6to4') return new ipaddr.IPv4(bytes.slice(2, 6));
  return null;
}

/** True only for public unicast addresses, in any spelling ipaddr.js understands. */
export function isPublicAddress(address: string): boolean {
  let addr: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    addr = ipaddr.parse(stripBrackets(address));
  } catch {
    return false;
  }
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    const v4 = embeddedIPv4(v6);
    if (v4) return v4.range() === 'unicast';
    // Teredo and other tunnelling forms hide the real peer: refuse them.
    return v6.range() === 'unicast';
  }
  return addr.range() === 'unicast';
}

export function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(stripBrackets(host));
}

export function effectivePort(url: URL): string {
  return url.port || (url.protocol === 'https:' ? '443' : '80');
}

export type UrlVerdict = { ok: true; url: URL } | { ok: false; reason: string };

const INTERNAL_SUFFIXES = ['.localhost', '.local', '.internal', '.intranet', '.lan', '.home.arpa'];

/**
 * The static part of the policy: scheme, credentials, length, and host names or literal addresses
 * that are never public. Names that resolve to private addresses are caught by the worker's
 * egress guard at connect time. `field` names the input in the reasons (url, webhookUrl).
 */
export function checkTrackableUrl(raw: string, allow: EgressAllowList, field = 'url'): UrlVerdict {
  if (typeof raw !== 'string' || raw.length === 0)
    return { ok: false, reason: `${field} is required` };
  if (raw.length > MAX_URL_LENGTH)
    return { ok: false, reason: `${field} must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `${field} must be an absolute http or https URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `${field} must use http or https` };
  }
  if (url.username || url.password)
    return { ok: false, reason: `${field} must not contain credentials` };
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (!host) return { ok: false, reason: `${field} must have a host` };
  if (allow.allows(host, effectivePort(url))) return { ok: true, url };
  if (isIpLiteral(host)) {
    return isPublicAddress(host)
      ? { ok: true, url }
      : {
          ok: false,
          reason: `${field} must not point to a private, loopback, link-local or reserved address`,
        };
  }
  if (
    host === 'localhost' ||
    INTERNAL_SUFFIXES.some((s) => host.endsWith(s)) ||
    !host.includes('.')
  ) {
    return { ok: false, reason: `${field} must point to a public host name` };
  }
  return { ok: true, url };
}
