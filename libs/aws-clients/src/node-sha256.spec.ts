import { createHash, createHmac } from 'node:crypto';
import { NodeSha256 } from './node-sha256';

const hex = async (h: NodeSha256) => Buffer.from(await h.digest()).toString('hex');

describe('NodeSha256', () => {
  const data = 'AWS4-HMAC-SHA256\n20261130T102000Z\n20261130/eu-west-1/dynamodb/aws4_request\nü';

  it('hashes as Node does, for strings, bytes and views of a larger buffer', async () => {
    const expected = createHash('sha256').update(data, 'utf8').digest('hex');
    const bytes = Buffer.from(data, 'utf8');
    const inLarger = Buffer.concat([Buffer.from('xx'), bytes, Buffer.from('yy')]);
    for (const input of [
      data,
      bytes,
      new Uint8Array(bytes),
      inLarger.subarray(2, 2 + bytes.length),
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
    ]) {
      const h = new NodeSha256();
      h.update(input);
      expect(await hex(h)).toBe(expected);
    }
    const h = new NodeSha256();
    h.update(Buffer.from(data).toString('base64'), 'base64');
    expect(await hex(h)).toBe(expected);
  });

  it('computes the same HMAC for a string key, a byte key, a view key and an empty key', async () => {
    const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY€';
    const keyBytes = Buffer.from(secret, 'utf8');
    const expected = createHmac('sha256', keyBytes).update(data).digest('hex');
    const inLarger = Buffer.concat([Buffer.from('zz'), keyBytes]);
    for (const key of [secret, keyBytes, new Uint8Array(keyBytes), inLarger.subarray(2)]) {
      const h = new NodeSha256(key);
      h.update(data);
      expect(await hex(h)).toBe(expected);
    }
    const empty = new NodeSha256(new Uint8Array(0));
    empty.update(data);
    expect(await hex(empty)).toBe(createHmac('sha256', Buffer.alloc(0)).update(data).digest('hex'));
    // A different key gives a different digest (the key is used at all).
    const other = new NodeSha256(secret + 'x');
    other.update(data);
    expect(await hex(other)).not.toBe(expected);
  });

  it('starts over after reset, with the same key', async () => {
    const h = new NodeSha256('key');
    h.update('garbage');
    h.reset();
    h.update(data);
    expect(await hex(h)).toBe(createHmac('sha256', 'key').update(data).digest('hex'));
  });
});
