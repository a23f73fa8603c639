// The floor under any Node.js facade of plex.tv: a node:http server that takes the GraphQL POST, makes the one
// upstream call with undici (keep-alive, no cap on connections), parses plex.tv's JSON and writes it back as JSON.
// No GraphQL, no validation, no limits, no metrics, no logging: what a facade costs above this is the price of
// everything it does beyond moving the bytes. `viewer` becomes GET /api/v2/user with the bearer token; a document
// that mentions `signIn` becomes POST /api/v2/users/signin with the input's login and password.
//   PORT, HOST, PLEX_API_URL, PLEX_CLIENT_IDENTIFIER
import { createServer } from 'node:http';
import { Agent, request } from 'undici';

const upstream = process.env.PLEX_API_URL;
const dispatcher = new Agent({ keepAliveTimeout: 30_000 });
const headers = {
  accept: 'application/json',
  'x-plex-client-identifier': process.env.PLEX_CLIENT_IDENTIFIER ?? 'floor',
  'x-plex-product': 'floor',
  'x-plex-version': '1',
};
const formHeaders = { ...headers, 'content-type': 'application/x-www-form-urlencoded' };

function reply(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

async function viewer(req) {
  const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
  const response = await request(`${upstream}/api/v2/user`, { dispatcher, headers: { ...headers, 'x-plex-token': token } });
  const user = JSON.parse(await response.body.text());
  if (response.statusCode !== 200) return { errors: [{ message: `plex.tv answered ${response.statusCode}` }] };
  return { data: { viewer: user } };
}

async function signIn(variables) {
  const input = variables?.input ?? {};
  const body = new URLSearchParams({ login: String(input.login ?? ''), password: String(input.password ?? '') }).toString();
  const response = await request(`${upstream}/api/v2/users/signin`, { dispatcher, method: 'POST', headers: formHeaders, body });
  const user = JSON.parse(await response.body.text());
  if (response.statusCode !== 201) return { data: { signIn: { __typename: 'InvalidCredentialsError', message: 'no' } } };
  const { authToken, ...rest } = user;
  return { data: { signIn: { __typename: 'SignInSuccess', authToken, user: rest } } };
}

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
      reply(res, 200, params.query.includes('signIn') ? await signIn(params.variables) : await viewer(req));
    } catch {
      res.writeHead(500);
      res.end();
    }
  });
});
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
