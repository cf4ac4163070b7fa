// Test-only OpenID Connect provider for the Alliance test suite.
//
// Wraps panva's certified `oidc-provider` with:
//   * clients and accounts taken from a JSON configuration (and replaceable at
//     run time through a token-protected admin endpoint);
//   * a minimal, JavaScript-free login + consent UI made of plain HTML forms, so
//     that an HTTP client (httpx) can drive a complete authorization code flow.
//
// Usage:
//   node server.mjs [--port 0] [--host 127.0.0.1] [--issuer URL]
//                   [--config config.json] [--exit-with-stdin]
//
// The configuration may also be given as a JSON string in OIDC_TEST_IDP_CONFIG
// (the --config file wins).  Once listening, exactly one JSON line is printed
// on stdout:  {"issuer": "http://127.0.0.1:PORT", "port": PORT, "pid": PID}
// Everything else (warnings, request log) goes to stderr.
//
// Configuration (all keys optional):
//   {
//     "clients": [ { "client_id": "...", "client_secret": "...",
//                    "redirect_uris": ["http://127.0.0.1:8000/auth/callback"],
//                    "token_endpoint_auth_method": "client_secret_basic",
//                    "grant_types": ["authorization_code"],
//                    "response_types": ["code"], ...any client metadata } ],
//     "accounts": { "<subject>": { "email": "...", "email_verified": true,
//                                  "name": "..." } },
//     "pkce_required": false,      // run-time: require PKCE from every client
//     "auto_consent": false,       // run-time: skip the consent page
//     "claims_in_id_token": true   // start-up only: put scope claims (email,
//                                  // profile) in the ID token too, not only in
//                                  // userinfo (oidc-provider's conform mode off)
//   }
//
// Admin endpoint (enabled only when OIDC_TEST_IDP_ADMIN_TOKEN is set), with
// header "Authorization: Bearer <token>":
//   GET /__admin__/config  -> current configuration
//   PUT /__admin__/config  -> replace clients/accounts/pkce_required/auto_consent
//                             (400 with {"error": ...} when invalid)

import { generateKeyPairSync, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const log = (...args) => console.error('[oidc-test-idp]', ...args);

// ---------------------------------------------------------------------------
// Command line and configuration
// ---------------------------------------------------------------------------

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.OIDC_TEST_IDP_PORT ?? '0' },
    host: { type: 'string', default: process.env.OIDC_TEST_IDP_HOST ?? '127.0.0.1' },
    issuer: { type: 'string', default: process.env.OIDC_TEST_IDP_ISSUER },
    config: { type: 'string' },
    'exit-with-stdin': { type: 'boolean', default: false },
  },
  strict: true,
});

const RUNTIME_KEYS = new Set(['clients', 'accounts', 'pkce_required', 'auto_consent']);
const STARTUP_KEYS = new Set(['claims_in_id_token']);

function loadInitialConfig() {
  if (args.config) return JSON.parse(readFileSync(args.config, 'utf8'));
  if (process.env.OIDC_TEST_IDP_CONFIG) return JSON.parse(process.env.OIDC_TEST_IDP_CONFIG);
  return {};
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Validates the shape (not the client metadata: oidc-provider does that) and
// returns the normalised run-time state.
function normaliseRuntime(config) {
  if (!isPlainObject(config)) throw new TypeError('configuration must be a JSON object');
  for (const key of Object.keys(config)) {
    if (!RUNTIME_KEYS.has(key) && !STARTUP_KEYS.has(key)) {
      throw new TypeError(`unknown configuration key: ${key}`);
    }
  }
  const clients = config.clients ?? [];
  if (!Array.isArray(clients)) throw new TypeError('"clients" must be an array');
  const byId = new Map();
  for (const client of clients) {
    if (!isPlainObject(client) || typeof client.client_id !== 'string' || !client.client_id) {
      throw new TypeError('every client needs a non-empty string "client_id"');
    }
    if (byId.has(client.client_id)) throw new TypeError(`duplicate client_id: ${client.client_id}`);
    byId.set(client.client_id, structuredClone(client));
  }
  const accounts = config.accounts ?? {};
  if (!isPlainObject(accounts)) throw new TypeError('"accounts" must be an object: subject -> claims');
  for (const [sub, claims] of Object.entries(accounts)) {
    if (!sub || !isPlainObject(claims)) throw new TypeError(`account ${JSON.stringify(sub)}: claims must be an object`);
  }
  return {
    clients: byId,
    accounts: new Map(Object.entries(structuredClone(accounts))),
    pkce_required: Boolean(config.pkce_required ?? false),
    auto_consent: Boolean(config.auto_consent ?? false),
  };
}

const initialConfig = loadInitialConfig();
const startup = {
  claims_in_id_token: initialConfig.claims_in_id_token ?? true,
};
let state = normaliseRuntime(initialConfig);

function currentConfig() {
  return {
    clients: [...state.clients.values()],
    accounts: Object.fromEntries(state.accounts),
    pkce_required: state.pkce_required,
    auto_consent: state.auto_consent,
    ...startup,
  };
}

// Login accepts the account's subject or (case-insensitively) its email.
function findSubjectByLogin(login) {
  const wanted = String(login ?? '').trim();
  if (!wanted) return undefined;
  if (state.accounts.has(wanted)) return wanted;
  const lower = wanted.toLowerCase();
  for (const [sub, claims] of state.accounts) {
    if (typeof claims.email === 'string' && claims.email.toLowerCase() === lower) return sub;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Storage adapter: in-memory; the "Client" model is served from the live
// configuration so that clients can be replaced while the provider runs.
// ---------------------------------------------------------------------------

const storage = new Map(); // key -> { payload, expiresAt }

function storageGet(key) {
  const entry = storage.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
    storage.delete(key);
    return undefined;
  }
  return entry.payload;
}

const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

class TestAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  async upsert(id, payload, expiresIn) {
    if (this.model === 'Client') throw new Error('clients are managed through the test configuration');
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined;
    storage.set(this.key(id), { payload, expiresAt });
    if (this.model === 'Session' && payload.uid) storage.set(`sessionUid:${payload.uid}`, { payload: id, expiresAt });
    if (payload.userCode) storage.set(`userCode:${payload.userCode}`, { payload: id, expiresAt });
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      const members = storageGet(grantKey) ?? [];
      members.push(this.key(id));
      storage.set(grantKey, { payload: members, expiresAt: undefined });
    }
  }

  async find(id) {
    if (this.model === 'Client') {
      const client = state.clients.get(id);
      return client ? structuredClone(client) : undefined;
    }
    return storageGet(this.key(id));
  }

  async findByUid(uid) {
    const id = storageGet(`sessionUid:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUserCode(userCode) {
    const id = storageGet(`userCode:${userCode}`);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const payload = storageGet(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    storage.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    const grantKey = `grant:${grantId}`;
    for (const key of storageGet(grantKey) ?? []) storage.delete(key);
    storage.delete(grantKey);
  }
}

// ---------------------------------------------------------------------------
// Provider configuration
// ---------------------------------------------------------------------------

function signingKeys() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' }] };
}

function providerConfiguration(port) {
  // Cookie names carry the port: cookie jars ignore ports, so this keeps the
  // cookies of several providers (and of the relying party, all on 127.0.0.1)
  // apart in one httpx client.
  const prefix = `idp${port}_`;
  return {
    adapter: (model) => new TestAdapter(model),
    clients: [],
    jwks: signingKeys(),
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      names: {
        session: `${prefix}session`,
        interaction: `${prefix}interaction`,
        resume: `${prefix}interaction_resume`,
      },
      // No `secure` flag: the provider is served over plain http on loopback.
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'preferred_username', 'locale', 'picture', 'updated_at'],
    },
    conformIdTokenClaims: !startup.claims_in_id_token,
    pkce: { required: () => state.pkce_required },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: { enabled: true },
    },
    interactions: {
      url: (_ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    async findAccount(_ctx, sub) {
      const claims = state.accounts.get(sub);
      if (!claims) return undefined;
      return {
        accountId: sub,
        async claims() {
          return { ...structuredClone(claims), sub };
        },
      };
    },
    // Errors as plain text-ish HTML that is easy to read in pytest output.
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Error', `<pre id="error">${escapeHtml(JSON.stringify(out, null, 2))}</pre>`);
    },
  };
}

// ---------------------------------------------------------------------------
// Interaction UI: plain HTML forms, no JavaScript
// ---------------------------------------------------------------------------

function escapeHtml(value) {
  return String(value).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  })[c]);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>
`;
}

function loginPage(uid, clientId, { error, login } = {}) {
  return page('Sign-in', `${error ? `<p id="login-error" role="alert">${escapeHtml(error)}</p>\n` : ''}<p>Sign in to continue to <strong>${escapeHtml(clientId)}</strong>.</p>
<form id="login-form" method="post" action="/interaction/${escapeHtml(uid)}/login">
  <label>Login (subject or email) <input type="text" name="login" value="${escapeHtml(login ?? '')}" autofocus></label>
  <label>Password <input type="password" name="password"></label>
  <button type="submit">Sign in</button>
</form>
<form id="abort-form" method="post" action="/interaction/${escapeHtml(uid)}/abort">
  <button type="submit">Cancel</button>
</form>`);
}

function consentPage(uid, clientId, accountId, details) {
  const scopes = (details.missingOIDCScope ?? []).filter((s) => s !== 'openid');
  const claims = (details.missingOIDCClaims ?? []).filter((c) => !['sub', 'sid', 'auth_time', 'acr', 'amr', 'iss'].includes(c));
  const list = (items) => items.map((i) => `<li>${escapeHtml(i)}</li>`).join('');
  return page('Authorize', `<p><strong>${escapeHtml(clientId)}</strong> asks to access the account <strong>${escapeHtml(accountId)}</strong>.</p>
${scopes.length ? `<p>Scopes:</p><ul id="scopes">${list(scopes)}</ul>` : ''}
${claims.length ? `<p>Claims:</p><ul id="claims">${list(claims)}</ul>` : ''}
<form id="consent-form" method="post" action="/interaction/${escapeHtml(uid)}/confirm">
  <input type="hidden" name="consent" value="yes">
  <button type="submit">Allow</button>
</form>
<form id="abort-form" method="post" action="/interaction/${escapeHtml(uid)}/abort">
  <button type="submit">Deny</button>
</form>`);
}

function send(res, status, contentType, body, headers = {}) {
  res.writeHead(status, {
    'Content-Type': contentType,
    'Cache-Control': 'no-store',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

async function readBody(req, limit = 1024 * 1024) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > limit) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function grantConsent(provider, details) {
  const { prompt: { details: missing }, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  return { consent: { grantId: await grant.save() } };
}

async function handleInteraction(provider, req, res, uid, action) {
  let details;
  try {
    details = await provider.interactionDetails(req, res);
  } catch (err) {
    // Typically SessionNotFound: the interaction cookie is missing or expired.
    send(res, 400, 'text/html; charset=utf-8', page('Error', `<pre id="error">${escapeHtml(`${err.name}: ${err.message}`)}</pre>`));
    return;
  }
  if (details.uid !== uid) {
    send(res, 400, 'text/html; charset=utf-8', page('Error', '<pre id="error">interaction uid mismatch</pre>'));
    return;
  }
  const { prompt, params } = details;
  const clientId = params.client_id;

  if (action === '' && req.method === 'GET') {
    if (prompt.name === 'login') {
      send(res, 200, 'text/html; charset=utf-8', loginPage(uid, clientId, { login: params.login_hint }));
      return;
    }
    if (prompt.name === 'consent') {
      if (state.auto_consent) {
        await provider.interactionFinished(req, res, await grantConsent(provider, details), { mergeWithLastSubmission: true });
        return;
      }
      send(res, 200, 'text/html; charset=utf-8', consentPage(uid, clientId, details.session.accountId, prompt.details));
      return;
    }
    send(res, 501, 'text/plain; charset=utf-8', `prompt ${prompt.name} is not implemented`);
    return;
  }

  if (req.method !== 'POST' && !(action === 'abort' && req.method === 'GET')) {
    send(res, 405, 'text/plain; charset=utf-8', 'method not allowed');
    return;
  }
  const form = new URLSearchParams(req.method === 'POST' ? await readBody(req) : '');

  switch (action) {
    case 'login': {
      if (prompt.name !== 'login') break;
      const sub = findSubjectByLogin(form.get('login'));
      if (!sub) {
        send(res, 401, 'text/html; charset=utf-8', loginPage(uid, clientId, {
          error: `Unknown account: ${form.get('login') ?? ''}`,
          login: form.get('login'),
        }));
        return;
      }
      // Any password is accepted.
      await provider.interactionFinished(req, res, { login: { accountId: sub } }, { mergeWithLastSubmission: false });
      return;
    }
    case 'confirm': {
      if (prompt.name !== 'consent') break;
      await provider.interactionFinished(req, res, await grantConsent(provider, details), { mergeWithLastSubmission: true });
      return;
    }
    case 'abort': {
      await provider.interactionFinished(req, res, {
        error: 'access_denied',
        error_description: 'End-User aborted interaction',
      }, { mergeWithLastSubmission: false });
      return;
    }
    default:
      send(res, 404, 'text/plain; charset=utf-8', 'not found');
      return;
  }
  send(res, 409, 'text/plain; charset=utf-8', `action ${action} does not match the pending prompt ${prompt.name}`);
}

// ---------------------------------------------------------------------------
// Admin endpoint
// ---------------------------------------------------------------------------

const ADMIN_TOKEN = process.env.OIDC_TEST_IDP_ADMIN_TOKEN || undefined;

function adminAuthorised(req) {
  if (!ADMIN_TOKEN) return false;
  const expected = Buffer.from(`Bearer ${ADMIN_TOKEN}`);
  const given = Buffer.from(req.headers.authorization ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

async function handleAdmin(provider, req, res, path) {
  const json = (status, body) => send(res, status, 'application/json', JSON.stringify(body));
  if (!adminAuthorised(req)) {
    json(ADMIN_TOKEN ? 401 : 404, { error: ADMIN_TOKEN ? 'unauthorised' : 'admin endpoint disabled' });
    return;
  }
  if (path !== '/__admin__/config') {
    json(404, { error: 'not found' });
    return;
  }
  if (req.method === 'GET') {
    json(200, currentConfig());
    return;
  }
  if (req.method !== 'PUT') {
    json(405, { error: 'method not allowed' });
    return;
  }
  let next;
  try {
    const body = JSON.parse(await readBody(req));
    for (const key of STARTUP_KEYS) {
      if (key in body && body[key] !== startup[key]) {
        throw new TypeError(`"${key}" can only be set at start-up; start another provider`);
      }
    }
    next = normaliseRuntime(body);
    for (const client of next.clients.values()) {
      await provider.Client.validate(structuredClone(client));
    }
  } catch (err) {
    json(400, { error: `${err.name}: ${err.error_description ?? err.message}` });
    return;
  }
  state = next;
  log('configuration replaced:', [...state.clients.keys()].join(', ') || '(no clients)', '/', [...state.accounts.keys()].join(', ') || '(no accounts)');
  json(200, currentConfig());
}

// ---------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------

let provider;
let providerCallback;

const server = createServer((req, res) => {
  const started = Date.now();
  res.on('finish', () => log(req.method, req.url, '->', res.statusCode, `${Date.now() - started}ms`));
  const { pathname } = new URL(req.url, 'http://internal');
  const interaction = /^\/interaction\/([^/]+)(?:\/(login|confirm|abort))?\/?$/.exec(pathname);
  let handled;
  if (interaction) {
    handled = handleInteraction(provider, req, res, interaction[1], interaction[2] ?? '');
  } else if (pathname.startsWith('/__admin__/')) {
    handled = handleAdmin(provider, req, res, pathname);
  } else {
    providerCallback(req, res);
    return;
  }
  handled.catch((err) => {
    log('error:', err);
    if (!res.headersSent) send(res, err.status ?? 500, 'text/plain; charset=utf-8', `${err.name}: ${err.message}`);
    else res.destroy();
  });
});

let shuttingDown = false;
function shutdown(signal) {
  if (shuttingDown) return;
  shuttingDown = true;
  log(`${signal}: shutting down`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
if (args['exit-with-stdin']) {
  // The parent keeps our stdin open; if it dies, stdin closes and we follow.
  process.stdin.on('end', () => shutdown('stdin closed'));
  process.stdin.on('close', () => shutdown('stdin closed'));
  process.stdin.resume();
}

server.on('error', (err) => {
  log('server error:', err);
  process.exit(1);
});

server.listen(Number(args.port), args.host, () => {
  const { port } = server.address();
  const host = args.host.includes(':') ? `[${args.host}]` : args.host;
  const issuer = args.issuer ?? `http://${host}:${port}`;
  try {
    provider = new Provider(issuer, providerConfiguration(port));
  } catch (err) {
    log('invalid provider configuration:', err);
    process.exit(1);
  }
  provider.on('server_error', (_ctx, err) => log('server_error:', err));
  providerCallback = provider.callback();
  // Validate the start-up clients now so that a bad configuration fails fast.
  Promise.all([...state.clients.values()].map((c) => provider.Client.validate(structuredClone(c))))
    .then(() => {
      process.stdout.write(`${JSON.stringify({ issuer, port, pid: process.pid })}\n`);
    })
    .catch((err) => {
      log(`invalid client configuration: ${err.name}: ${err.error_description ?? err.message}`);
      process.exit(1);
    });
});
