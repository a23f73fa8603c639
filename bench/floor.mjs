// The floor under any Node.js facade of GET /api/v2/user, for the benchmark's side-by-side runs: a node:http server
// that reads and parses the POSTed JSON, makes the same upstream call with undici (keep-alive), parses plex.tv's JSON
// and writes it back as JSON. No GraphQL, no validation, no limits, no metrics, no logging: what the facade costs above
// this is the price of everything it does beyond moving the bytes.
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const upstream = process.env.PLEX_API_URL;
const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: 64 });
const headers = {
  accept: 'application/json',
  'x-plex-client-identifier': process.env.PLEX_CLIENT_IDENTIFIER ?? 'floor',
  'x-plex-product': 'floor',
  'x-plex-version': '1',
};

const server = createServer((req, res) => {
  if (req.url === '/health') {
    res.end('ok');
    return;
  }
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', async () => {
    try {
      const params = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (typeof params.query !== 'string') throw new Error('no query');
      const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
      const response = await request(`${upstream}/api/v2/user`, { dispatcher, headers: { ...headers, 'x-plex-token': token } });
      const user = JSON.parse(await response.body.text());
      const body = JSON.stringify({ data: { viewer: user } });
      res.writeHead(response.statusCode === 200 ? 200 : 502, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    } catch {
      res.writeHead(500);
      res.end();
    }
  });
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
