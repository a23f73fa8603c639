import { createHash } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';

/*
 * The demo page at GET /: the PIN sign-in a frontend builds, using only the GraphQL API at /graphql.
 * Plain DOM and fetch, no framework and nothing loaded from elsewhere, so it doubles as documentation.
 */

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; color: #1f2328; }
button { font-size: 1rem; padding: .5rem 1.25rem; cursor: pointer; }
#viewer img { width: 64px; height: 64px; border-radius: 50%; vertical-align: middle; margin-right: .75rem; }
#status { min-height: 1.5rem; }
h2 { font-size: 1.15rem; margin-top: 2rem; }
ul { list-style: none; padding: 0; }
#profile-list { display: flex; flex-wrap: wrap; gap: .75rem; }
#profile-list button { display: flex; flex-direction: column; align-items: center; gap: .25rem; width: 6.5rem; padding: .5rem; background: none; border: 1px solid #d0d7de; border-radius: .5rem; }
#profile-list button[aria-current="true"] { border-color: #e5a00d; }
#profile-list img { width: 48px; height: 48px; border-radius: 50%; }
#profile-list .note { min-height: 1.2em; }
#pin { width: 5rem; font-size: 1rem; letter-spacing: .3em; }
#server-list li { margin: .5rem 0; }
.online { color: #1a7f37; }
.offline { color: #6e7781; }
.note { color: #6e7781; font-size: .9rem; }
.error { color: #b42318; }
[hidden] { display: none !important; }
`;

const SCRIPT = `
const CREATE_PIN = 'mutation CreateSignInPin($input: CreateSignInPinInput) { createSignInPin(input: $input) { id code expiresAt authUrl } }';
const PIN_STATUS = '... on SignInPinPending { expiresAt } ... on SignInSuccess { authToken authTokenExpiresAt refreshToken } ... on Error { message }';
const WATCH_PIN = 'subscription WatchSignInPin($id: ID!, $code: String!) { signInPin(id: $id, code: $code) { __typename ' + PIN_STATUS + ' } }';
const POLL_PIN = 'query SignInPin($id: ID!, $code: String!) { signInPin(id: $id, code: $code) { __typename ' + PIN_STATUS + ' } }';
const USER_FIELDS = 'fragment DemoUser on User { uuid title friendlyName thumb subscription { active plan } }';
const VIEWER = 'query DemoViewer { viewer { ...DemoUser } } ' + USER_FIELDS;
// The profiles and the servers; the page shows each server's first connection and never probes one (only the browser's
// network could tell which works: a real client races them in this order).
const ACCOUNT = 'query DemoAccount { viewer { uuid plexHome { name users { uuid title thumb protected } } resources(provides: [SERVER]) { name clientIdentifier owned sourceTitle presence connections { uri local relay } } } }';
const SWITCH = 'mutation DemoSwitchHomeUser($input: SwitchHomeUserInput!) { switchHomeUser(input: $input) { __typename ... on SignInSuccess { authToken authTokenExpiresAt refreshToken user { ...DemoUser } } ... on HomeUserPinInvalidError { pinSent } ... on Error { message } } } ' + USER_FIELDS;
const SIGN_OUT = 'mutation SignOut { signOut { signedOut } }';
const REFRESH = 'mutation RefreshAuthToken($refreshToken: String!) { refreshAuthToken(refreshToken: $refreshToken) { __typename ... on AuthTokenRefreshed { authToken authTokenExpiresAt refreshToken } ... on Error { message } } }';
const TOKEN_KEY = 'plex-demo-token';
const REFRESH_KEY = 'plex-demo-refresh-token';
const EXPIRES_KEY = 'plex-demo-token-expires';
const DAY_MS = 86400000;

const $ = (id) => document.getElementById(id);
const show = (text, isError = false) => { $('status').textContent = text; $('status').className = isError ? 'error' : ''; };
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function graphql(query, variables = {}, token = null) {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (token) headers.authorization = 'Bearer ' + token;
  const response = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors && body.errors.length) {
    const error = new Error(body.errors[0].message);
    error.reason = (body.errors[0].extensions || {}).reason;
    throw error;
  }
  return body.data;
}

// PLEX_AUTH_MODE=jwt: a Plex JWT comes with its expiry and a refresh token. A legacy token has neither.
function remember(tokens) {
  sessionStorage.setItem(TOKEN_KEY, tokens.authToken);
  for (const [key, value] of [[REFRESH_KEY, tokens.refreshToken], [EXPIRES_KEY, tokens.authTokenExpiresAt]]) {
    if (value) sessionStorage.setItem(key, value); else sessionStorage.removeItem(key);
  }
  const expires = tokens.refreshToken && tokens.authTokenExpiresAt;
  $('token-expiry').hidden = !expires;
  if (expires) { $('expires-at').dateTime = expires; $('expires-at').textContent = new Date(expires).toLocaleString(); }
}

function forget() {
  for (const key of [TOKEN_KEY, REFRESH_KEY, EXPIRES_KEY]) sessionStorage.removeItem(key);
}

// A new token for the refresh token: the new token, or null when plex.tv no longer accepts the sign-in.
async function refreshToken() {
  const { refreshAuthToken: result } = await graphql(REFRESH, { refreshToken: sessionStorage.getItem(REFRESH_KEY) });
  if (result.__typename === 'AuthTokenRefreshed') { remember(result); return result.authToken; }
  if (result.__typename === 'SignInThrottledError') throw new Error(result.message);
  forget();
  showSignedOut(result.message);
  return null;
}

// Refreshes first when less than 24 h is left, and once more if plex.tv says the token expired.
async function showSaved() {
  let token = sessionStorage.getItem(TOKEN_KEY);
  const canRefresh = sessionStorage.getItem(REFRESH_KEY) !== null;
  if (canRefresh) {
    remember({ authToken: token, refreshToken: sessionStorage.getItem(REFRESH_KEY), authTokenExpiresAt: sessionStorage.getItem(EXPIRES_KEY) });
    if (Date.parse(sessionStorage.getItem(EXPIRES_KEY) || '') - Date.now() < DAY_MS) token = await refreshToken();
  }
  if (!token) return;
  try {
    await showViewer(token);
  } catch (error) {
    if (!canRefresh || error.reason !== 'TOKEN_EXPIRED') throw error;
    token = await refreshToken();
    if (token) await showViewer(token);
  }
}

// GraphQL over Server-Sent Events: one "next" event per result, then "complete".
async function* subscribe(query, variables) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ query, variables }),
  });
  if (!response.ok || !response.body) throw new Error('no event stream');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf('\\n\\n')) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let data = '';
      for (const line of block.split('\\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (event === 'complete') return;
      if (event === 'next' && data) {
        const result = JSON.parse(data);
        if (result.errors && result.errors.length) throw new Error(result.errors[0].message);
        yield result.data;
      }
    }
  }
}

// Follows the PIN until it is approved or expires: the subscription first, polling the query if that fails.
async function waitForApproval(pin) {
  try {
    for await (const data of subscribe(WATCH_PIN, { id: pin.id, code: pin.code })) {
      if (data.signInPin.__typename !== 'SignInPinPending') return data.signInPin;
    }
  } catch (error) {
    console.warn('subscription failed, polling instead', error);
  }
  while (Date.parse(pin.expiresAt) > Date.now()) {
    const { signInPin } = await graphql(POLL_PIN, { id: pin.id, code: pin.code });
    if (signInPin.__typename !== 'SignInPinPending') return signInPin;
    await sleep(1500);
  }
  return { __typename: 'SignInPinExpiredError', message: 'The sign-in PIN expired.' };
}

function showUser(user) {
  $('name').textContent = user.friendlyName || user.title || '(no name)';
  // A managed Home user's account has no subscription of its own.
  $('plan').textContent = user.subscription && user.subscription.active ? 'Plex Pass: ' + (user.subscription.plan || 'active') : 'No Plex Pass';
  if (user.thumb) { $('thumb').src = user.thumb; $('thumb').hidden = false; } else { $('thumb').hidden = true; }
  $('viewer').hidden = false;
  $('signed-out').hidden = true;
}

async function showViewer(token) {
  const { viewer } = await graphql(VIEWER, {}, token);
  showUser(viewer);
  show('Signed in.');
  await showAccount(token);
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text) node.textContent = text;
  if (className) node.className = className;
  return node;
}

// The profile the PIN form is for.
let pinFor = null;

function askForPin(user, message) {
  pinFor = user;
  $('pin-for').textContent = user.title;
  $('pin-message').textContent = message;
  $('pin-form').hidden = false;
  $('pin').value = '';
  $('pin').focus();
}

function closePicker() {
  pinFor = null;
  $('pin').value = '';
  $('pin-form').hidden = true;
  $('profile-picker').hidden = true;
  $('switch-profile').hidden = false;
}

// plex.tv demands a PIN for some profiles that are not marked protected: ask for one when protected is true, or when
// the switch without a PIN comes back with HomeUserPinInvalidError and pinSent false.
async function switchTo(user, pin) {
  const input = pin ? { uuid: user.uuid, pin } : { uuid: user.uuid };
  const { switchHomeUser: result } = await graphql(SWITCH, { input }, sessionStorage.getItem(TOKEN_KEY));
  if (result.__typename === 'HomeUserPinInvalidError') {
    askForPin(user, result.pinSent ? 'Wrong PIN, try again.' : user.title + ' needs a PIN.');
    return;
  }
  if (result.__typename !== 'SignInSuccess') { show(result.message, true); return; }
  closePicker();
  remember(result);
  showUser(result.user);
  show('Switched to ' + $('name').textContent + '.');
  await showAccount(result.authToken);
}

function showProfiles(viewer) {
  $('profiles').hidden = !viewer.plexHome;
  closePicker();
  if (!viewer.plexHome) return;
  $('home-name').textContent = viewer.plexHome.name;
  $('profile-list').replaceChildren(...viewer.plexHome.users.map((user) => {
    const button = element('button');
    button.type = 'button';
    button.setAttribute('aria-current', String(user.uuid === viewer.uuid));
    if (user.thumb) {
      const avatar = element('img');
      avatar.alt = '';
      avatar.referrerPolicy = 'no-referrer';
      avatar.addEventListener('error', () => { avatar.hidden = true; });
      avatar.src = user.thumb;
      button.append(avatar);
    }
    button.append(element('span', user.title), element('span', user.protected ? 'PIN' : '', 'note'));
    button.addEventListener('click', () => {
      $('pin-form').hidden = true;
      if (user.protected) { askForPin(user, ''); return; }
      switchTo(user, null).catch((error) => show(error.message, true));
    });
    const item = element('li');
    item.append(button);
    return item;
  }));
}

function showServers(servers) {
  $('servers-none').hidden = servers.length > 0;
  $('server-list').replaceChildren(...servers.map((server) => {
    const item = element('li');
    item.dataset.clientIdentifier = server.clientIdentifier;
    item.append(element('strong', server.name), ' ', element('span', server.presence ? 'online' : 'offline', server.presence ? 'online' : 'offline'));
    item.append(' · ', element('span', server.owned ? 'owned' : 'shared by ' + (server.sourceTitle || 'another account'), 'note'));
    const first = server.connections[0];
    const where = element('div', '', 'note');
    if (first) where.append('First connection to try: ', element('code', first.uri), first.relay ? ' (relay)' : first.local ? ' (local)' : ' (remote)');
    else where.textContent = 'No connection to try.';
    item.append(where);
    return item;
  }));
}

// Profiles and servers, read with the token of the profile shown.
async function showAccount(token) {
  $('account-error').textContent = '';
  try {
    const { viewer } = await graphql(ACCOUNT, {}, token);
    showProfiles(viewer);
    showServers(viewer.resources);
    $('servers').hidden = false;
  } catch (error) {
    $('account-error').textContent = 'Profiles and servers: ' + error.message;
  }
}

function showSignedOut(message) {
  $('viewer').hidden = true;
  $('signed-out').hidden = false;
  $('auth-link').hidden = true;
  show(message);
}

$('sign-in').addEventListener('click', async () => {
  $('sign-in').disabled = true;
  // Opened inside the click so popup blockers allow it; the address is set once the PIN exists. Once it shows the
  // approval page this page lets go of it (no opener, never closed from here: the page is another origin's); the
  // approval page closes itself or tells the user to close it.
  let popup = window.open('about:blank', '_blank');
  try {
    show('Creating a sign-in PIN…');
    const { createSignInPin: pin } = await graphql(CREATE_PIN, { input: {} });
    $('auth-link').href = pin.authUrl;
    $('auth-link').hidden = false;
    if (popup) { popup.opener = null; popup.location.href = pin.authUrl; popup = null; }
    show('Approve the sign-in in the window that opened (or follow the link below).');
    const result = await waitForApproval(pin);
    if (result.__typename !== 'SignInSuccess') { showSignedOut(result.message || 'The sign-in did not complete.'); return; }
    remember(result);
    $('auth-link').hidden = true;
    await showViewer(result.authToken);
  } catch (error) {
    // Still the blank window this page opened (the PIN could not be created): close it.
    if (popup && !popup.closed) popup.close();
    show(error.message, true);
  } finally {
    $('sign-in').disabled = false;
  }
});

$('sign-out').addEventListener('click', async () => {
  const token = sessionStorage.getItem(TOKEN_KEY);
  forget();
  try {
    if (token) await graphql(SIGN_OUT, {}, token);
    showSignedOut('Signed out.');
  } catch (error) {
    showSignedOut('Signed out here; plex.tv said: ' + error.message);
  }
});

$('refresh').addEventListener('click', async () => {
  $('refresh').disabled = true;
  try {
    if (await refreshToken()) show('Token refreshed.');
  } catch (error) {
    show(error.message, true);
  } finally {
    $('refresh').disabled = false;
  }
});

$('thumb').addEventListener('error', () => { $('thumb').hidden = true; });

$('switch-profile').addEventListener('click', () => {
  $('profile-picker').hidden = false;
  $('switch-profile').hidden = true;
});

$('pin-cancel').addEventListener('click', closePicker);

$('pin-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!pinFor) return;
  const pin = $('pin').value;
  $('pin').value = '';
  $('pin-submit').disabled = true;
  try {
    await switchTo(pinFor, pin);
  } catch (error) {
    $('pin-message').textContent = error.message;
  } finally {
    $('pin-submit').disabled = false;
  }
});

if (sessionStorage.getItem(TOKEN_KEY)) showSaved().catch(() => { forget(); showSignedOut('Not signed in.'); });
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export const DEMO_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in with Plex · Plex account GraphQL demo</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml">
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Sign in with Plex</h1>
<p>This page signs in the way a frontend should: it never sees your password. It asks the GraphQL API at
<code>/graphql</code> for a PIN (<code>createSignInPin</code>), opens the Plex approval page, follows
<code>subscription signInPin</code> until you approve, then reads <code>viewer</code>: the account, its servers
(<code>resources</code>, with the first connection to try) and its Plex Home's profiles (<code>plexHome</code>, switched
to with <code>switchHomeUser</code>). With
<code>PLEX_AUTH_MODE=jwt</code> it also shows when the token expires and renews it (<code>refreshAuthToken</code>).</p>
<section id="signed-out">
<button id="sign-in" type="button">Sign in with Plex</button>
</section>
<p id="status" role="status" aria-live="polite"></p>
<p><a id="auth-link" href="#" target="_blank" rel="noopener noreferrer" hidden>Open the Plex approval page</a></p>
<section id="viewer" hidden>
<p><img id="thumb" alt="" referrerpolicy="no-referrer" hidden><strong id="name"></strong></p>
<p id="plan"></p>
<p id="token-expiry" hidden>The token expires <time id="expires-at"></time>. <button id="refresh" type="button">Refresh</button></p>
<section id="profiles" hidden>
<h2>Profiles of <span id="home-name"></span></h2>
<button id="switch-profile" type="button">Switch profile</button>
<div id="profile-picker" hidden>
<ul id="profile-list" aria-label="Profiles"></ul>
<form id="pin-form" hidden>
<p><label>PIN for <span id="pin-for"></span>: <input id="pin" type="password" inputmode="numeric" pattern="[0-9]{4}" maxlength="4" autocomplete="off" required></label>
<button id="pin-submit" type="submit">Switch</button> <button id="pin-cancel" type="button">Cancel</button></p>
<p id="pin-message" class="error" role="alert"></p>
</form>
</div>
</section>
<section id="servers" hidden>
<h2>Servers</h2>
<ul id="server-list" aria-label="Servers"></ul>
<p id="servers-none" hidden>No servers.</p>
</section>
<p id="account-error" class="error"></p>
<button id="sign-out" type="button">Sign out</button>
</section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

// Only this page's own script and style run; it talks to /graphql and nothing else. Images: the icon, and the account's
// avatar from plex.tv (from this server's simulator in mock mode).
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `script-src ${sha256(SCRIPT)}`,
  `style-src ${sha256(STYLE)}`,
  "connect-src 'self'",
  'img-src https: http: data:',
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The icon of the demo page, GraphiQL and the simulator's pages: Plex's chevron, in its colours. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f2328"/><path d="M11 6h6l7 10-7 10h-6l7-10z" fill="#e5a00d"/></svg>`;

/** Serves the demo page at GET / (and HEAD /), and its icon at /favicon.ico. */
export function useDemoPage(): Plugin {
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      if (url.pathname === '/favicon.ico') {
        endResponse(
          new fetchAPI.Response(request.method === 'HEAD' ? null : FAVICON_SVG, {
            status: 200,
            headers: { 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' },
          }),
        );
        return;
      }
      if (url.pathname !== '/') return;
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : DEMO_PAGE_HTML, {
          status: 200,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': CONTENT_SECURITY_POLICY,
            'x-content-type-options': 'nosniff',
            'referrer-policy': 'no-referrer',
            'cache-control': 'no-cache',
          },
        }),
      );
    },
  };
}
