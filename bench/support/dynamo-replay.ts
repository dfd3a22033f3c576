/**
 * A diagnostic stand-in in front of dynalite, for bench/http-adapter.ts's `list-replay` target:
 * it passes every call through to dynalite, records each Query's 200 answer by its exact
 * request body, and answers a Query it has seen before from that record, at the cost of a
 * bare node:http server. Any other call (a write) forgets every record, so nothing read after
 * a write is stale. It answers what the gateway would get from a DynamoDB that costs this
 * machine next to nothing, so that the gateway's own ceiling is measured apart from
 * dynalite's (which uses about a core at the list's rate; docs/PERFORMANCE.md).
 *
 * Not a cache for the product: it is only correct for a benchmark whose load reads.
 *
 *   node --import tsx bench/support/dynamo-replay.ts <port> <upstream port>
 *
 * It listens on 127.0.0.1:<port> and forwards to 127.0.0.1:<upstream port>.
 */
import http from 'node:http';

interface Recorded {
  headers: http.OutgoingHttpHeaders;
  body: Buffer;
}

export function startDynamoReplay(port: number, upstreamPort: number): http.Server {
  const recorded = new Map<string, Recorded>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isQuery = String(req.headers['x-amz-target'] ?? '').endsWith('.Query');
      const key = body.toString('utf8');
      const hit = isQuery ? recorded.get(key) : undefined;
      if (hit) {
        res.writeHead(200, hit.headers);
        res.end(hit.body);
        return;
      }
      if (!isQuery) recorded.clear();
      const up = http.request(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent,
        },
        (answer) => {
          const out: Buffer[] = [];
          answer.on('data', (c: Buffer) => out.push(c));
          answer.on('end', () => {
            const answered = Buffer.concat(out);
            const headers: http.OutgoingHttpHeaders = {
              'content-type': answer.headers['content-type'],
              'content-length': answered.length,
              ...(answer.headers['x-amz-crc32']
                ? { 'x-amz-crc32': answer.headers['x-amz-crc32'] }
                : {}),
            };
            if (isQuery && answer.statusCode === 200)
              recorded.set(key, { headers, body: answered });
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(answered);
          });
        },
      );
      up.on('error', () => res.destroy());
      up.end(body);
    });
  });
  server.listen(port, '127.0.0.1');
  return server;
}

if (require.main === module) {
  const [port, upstream] = process.argv.slice(2).map(Number);
  if (!port || !upstream) {
    console.error('usage: dynamo-replay.ts <port> <upstream port>');
    process.exit(2);
  }
  startDynamoReplay(port, upstream);
  process.on('SIGTERM', () => process.exit(0));
}
