import { EgressAllowList } from '@app/jobs-domain';
import { EgressBlockedError, EgressGuard, type Resolver } from './egress-guard';

/** A fake DNS so the cases do not depend on the machine's resolver or network. */
function fakeDns(records: Record<string, string[]>): Resolver {
  return async (hostname) => {
    const addresses = records[hostname];
    if (!addresses)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

function lookup(
  guard: EgressGuard,
  fn: EgressGuard['lookup'],
  host: string,
  options: object = {},
): Promise<{ err: Error | null; address?: unknown; family?: number }> {
  void guard;
  return new Promise((resolve) => {
    fn(host, options, (err: Error | null, address?: unknown, family?: number) =>
      resolve({ err, address, family }),
    );
  });
}

describe('EgressGuard', () => {
  const dns = fakeDns({
    'shop.example.com': ['93.184.216.34'],
    'dual.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'rebind.example.com': ['127.0.0.1'],
    'mixed.example.com': ['93.184.216.34', '10.0.0.7'],
    'metadata.example.com': ['169.254.169.254'],
    'mapped.example.com': ['::ffff:127.0.0.1'],
    'shop.test': ['127.0.0.1'],
  });
  const guard = new EgressGuard(new EgressAllowList(['shop.test:8080', '127.0.0.1:4010']), {
    resolver: dns,
  });
  const blocked = (url: string) =>
    expect(guard.assertAllowed(new URL(url))).rejects.toBeInstanceOf(EgressBlockedError);

  it.each([
    'http://127.0.0.1/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://0x7f.1/',
    'http://2130706433/',
    'http://0177.0.0.1/',
    'http://[2002:7f00:1::]/',
    'http://[64:ff9b::7f00:1]/',
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/',
    'http://10.1.2.3/',
    'http://0.0.0.0/',
    'http://localhost:3000/',
    'http://printer.local/',
    'http://intranet/',
  ])('refuses the literal or internal name %s', async (url) => {
    await blocked(url);
  });

  it.each(['ftp://shop.example.com/', 'file:///etc/passwd', 'http://user:pw@shop.example.com/'])(
    'refuses %s (scheme or credentials)',
    async (url) => {
      await blocked(url);
    },
  );

  it.each([
    'http://rebind.example.com/',
    'http://mixed.example.com/',
    'http://metadata.example.com/',
    'http://mapped.example.com/',
  ])('refuses %s, a public-looking name with a non-public address', async (url) => {
    await blocked(url);
  });

  it('accepts public names and public literals', async () => {
    await expect(
      guard.assertAllowed(new URL('https://shop.example.com/p/1')),
    ).resolves.toBeUndefined();
    await expect(
      guard.assertAllowed(new URL('https://dual.example.com/')),
    ).resolves.toBeUndefined();
    await expect(guard.assertAllowed(new URL('http://93.184.216.34/'))).resolves.toBeUndefined();
  });

  it('accepts allow-listed host:port, and only on that port', async () => {
    await expect(
      guard.assertAllowed(new URL('http://shop.test:8080/p/x')),
    ).resolves.toBeUndefined();
    await expect(
      guard.assertAllowed(new URL('http://127.0.0.1:4010/p/x')),
    ).resolves.toBeUndefined();
    await blocked('http://shop.test:8081/');
    await blocked('http://127.0.0.1:4011/');
  });

  it('lets DNS failures through as they are, not as a policy refusal', async () => {
    const err = await guard
      .assertAllowed(new URL('http://nx.example.com/'))
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(EgressBlockedError);
    expect((err as { code?: string }).code).toBe('ENOTFOUND');
  });

  it('gives a reason without internals', async () => {
    const err = (await guard
      .assertAllowed(new URL('http://rebind.example.com/'))
      .catch((e: unknown) => e)) as Error;
    expect(err.message).toMatch(/private|loopback/);
    expect(err.message).not.toContain('127.0.0.1');
  });

  describe('lookup (connect time)', () => {
    it('rejects a name resolving to loopback through the real resolver (localhost)', async () => {
      const real = new EgressGuard(new EgressAllowList([]));
      const r = await lookup(real, real.lookup, 'localhost', {});
      expect(r.err).toBeInstanceOf(EgressBlockedError);
    });

    it('rejects a rebinding name at connect time even after assertAllowed passed once', async () => {
      let answer = '93.184.216.34';
      const flip = new EgressGuard(new EgressAllowList([]), {
        resolver: async () => [{ address: answer, family: 4 }],
      });
      await expect(
        flip.assertAllowed(new URL('http://rebind.example.com/')),
      ).resolves.toBeUndefined();
      answer = '127.0.0.1';
      const r = await lookup(flip, flip.lookup, 'rebind.example.com', {});
      expect(r.err).toBeInstanceOf(EgressBlockedError);
    });

    it('answers in both dns.lookup shapes for public names', async () => {
      const one = await lookup(guard, guard.lookup, 'dual.example.com', {});
      expect(one).toEqual({ err: null, address: '93.184.216.34', family: 4 });
      const all = await lookup(guard, guard.lookup, 'dual.example.com', { all: true });
      expect(all.err).toBeNull();
      expect(all.address).toHaveLength(2);
    });

    it('rejects literal non-public addresses handed to it', async () => {
      for (const host of ['127.0.0.1', '::ffff:7f00:1', '169.254.169.254', '64:ff9b::7f00:1']) {
        const r = await lookup(guard, guard.lookup, host, {});
        expect(r.err).toBeInstanceOf(EgressBlockedError);
      }
    });

    it('honours a port-specific allow-list entry only through lookupForPort', async () => {
      expect((await lookup(guard, guard.lookup, 'shop.test', {})).err).toBeInstanceOf(
        EgressBlockedError,
      );
      const ok = await lookup(guard, guard.lookupForPort(8080), 'shop.test', {});
      expect(ok.err).toBeNull();
      expect(ok.address).toBe('127.0.0.1');
      const other = await lookup(guard, guard.lookupForPort(8081), 'shop.test', {});
      expect(other.err).toBeInstanceOf(EgressBlockedError);
    });

    it('honours a port-less allow-list entry in the plain lookup', async () => {
      const g = new EgressGuard(new EgressAllowList(['shop.test']), { resolver: dns });
      expect((await lookup(g, g.lookup, 'shop.test', {})).err).toBeNull();
    });

    it('passes resolver errors through', async () => {
      const r = await lookup(guard, guard.lookup, 'nx.example.com', {});
      expect((r.err as { code?: string }).code).toBe('ENOTFOUND');
    });
  });

  it('judges literal addresses for sockets (net.connect skips lookup for them)', () => {
    expect(guard.allowsAddress('127.0.0.1', '4010')).toBe(true);
    expect(guard.allowsAddress('127.0.0.1', '4011')).toBe(false);
    expect(guard.allowsAddress('93.184.216.34', '443')).toBe(true);
    expect(guard.allowsAddress('::1', '443')).toBe(false);
  });
});
