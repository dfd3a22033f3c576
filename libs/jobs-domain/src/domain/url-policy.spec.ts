import { checkTrackableUrl, EgressAllowList, isPublicAddress } from './url-policy';

describe('isPublicAddress', () => {
  it.each([
    '93.184.216.34',
    '2606:2800:220:1:248:1893:25c8:1946',
    '::ffff:93.184.216.34',
    '64:ff9b::5db8:d822',
  ])('accepts %s', (a) => {
    expect(isPublicAddress(a)).toBe(true);
  });
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '255.255.255.255',
    '224.0.0.1',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    '::ffff:127.0.0.1',
    '64:ff9b::7f00:1',
    '2002:7f00:1::',
    '2002:a9fe:a9fe::',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'not an address',
  ])('refuses %s', (a) => {
    expect(isPublicAddress(a)).toBe(false);
  });
});

describe('checkTrackableUrl', () => {
  const none = new EgressAllowList([]);
  it.each([
    ['http://169.254.169.254/', 'private'],
    ['http://2130706433/', 'private'],
    ['http://0x7f.1/', 'private'],
    ['http://017700000001/', 'private'],
    ['http://[::ffff:127.0.0.1]/', 'private'],
    ['file:///etc/passwd', 'http or https'],
    ['http://user:pass@example.com/', 'credentials'],
    ['http://localhost:3000/', 'public host name'],
    ['http://intranet/', 'public host name'],
    ['http://printer.local/', 'public host name'],
    ['not a url', 'absolute'],
  ])('refuses %s', (url, reason) => {
    const v = checkTrackableUrl(url, none);
    expect(v.ok).toBe(false);
    expect(v.ok ? '' : v.reason).toMatch(reason);
  });

  it('accepts a public https URL and normalises it', () => {
    const v = checkTrackableUrl('HTTPS://Shop.Example.com/p?id=1', none);
    expect(v.ok && v.url.href).toBe('https://shop.example.com/p?id=1');
  });

  it('lets an allow-listed host:port through, and only on that port', () => {
    const allow = EgressAllowList.fromEnv('127.0.0.1:8080, shop.test');
    expect(checkTrackableUrl('http://127.0.0.1:8080/p', allow).ok).toBe(true);
    expect(checkTrackableUrl('http://127.0.0.1:8081/p', allow).ok).toBe(false);
    expect(checkTrackableUrl('http://shop.test/p', allow).ok).toBe(true);
  });
});
