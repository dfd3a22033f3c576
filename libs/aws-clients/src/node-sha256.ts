import { createHash, createHmac, createSecretKey, type Hash, type Hmac } from 'node:crypto';

type SourceData = string | ArrayBuffer | ArrayBufferView;

function toBuffer(data: ArrayBuffer | ArrayBufferView): Buffer {
  return ArrayBuffer.isView(data)
    ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    : Buffer.from(data);
}

/**
 * The SHA-256 / HMAC-SHA-256 the SDK clients sign with (their `sha256` option), in place of the
 * SDK's own, which passes every HMAC key to Node as bytes: on Node 24 `createHmac` with a
 * Buffer key costs ~16 µs (its key-object check is the slow path), with a KeyObject or a string
 * ~2 µs, and SigV4 computes two keyed HMACs per request (docs/PERFORMANCE.md). Same digests:
 * a string key is used as its UTF-8 bytes, as the SDK's is.
 */
export class NodeSha256 {
  private hash!: Hash | Hmac;

  constructor(private readonly secret?: SourceData) {
    this.reset();
  }

  update(data: SourceData, encoding?: 'utf8' | 'ascii' | 'latin1' | 'base64' | 'hex'): void {
    if (typeof data === 'string') this.hash.update(data, encoding ?? 'utf8');
    else this.hash.update(toBuffer(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(this.hash.digest());
  }

  reset(): void {
    const secret = this.secret;
    if (secret === undefined) {
      this.hash = createHash('sha256');
    } else if (typeof secret === 'string') {
      this.hash = createHmac('sha256', secret);
    } else {
      const bytes = toBuffer(secret);
      // createSecretKey refuses an empty key; HMAC takes one (as a zero-length key).
      this.hash = createHmac('sha256', bytes.length > 0 ? createSecretKey(bytes) : bytes);
    }
  }
}
