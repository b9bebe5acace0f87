// panva's oidc-provider (pinned in scripts/testbed/node) for hubctl's
// end-to-end tests. pkg/testbed starts it as
//   node server.mjs CONFIG.json
// with NODE_PATH unset and the working directory .build/node, so the import
// below resolves to the pinned copy. CONFIG.json:
//   { "issuer": "http://127.0.0.1:PORT", "port": PORT,
//     "clients": [ {client_id, client_secret, redirect_uris, ...} ],
//     "initialAccessToken": "..." or "" (registration open to anyone),
//     "accounts": { "alice": { "email": "...", ... } } }
// Any login name works on the development login page; names listed under
// "accounts" get those claims, others get claims made from the name.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

// Resolve oidc-provider from the test bed's node_modules (the working
// directory), not from next to this file, which lives in the source tree.
const require = createRequire(join(process.cwd(), 'package.json'));
const { default: Provider } = await import(pathToFileURL(require.resolve('oidc-provider')));

function claimsFor(id) {
  return {
    sub: id,
    email: `${id}@example.org`,
    email_verified: true,
    preferred_username: id,
    name: id,
    groups: [],
    ...(config.accounts?.[id] ?? {}),
  };
}

const provider = new Provider(config.issuer, {
  clients: config.clients ?? [],
  scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['preferred_username', 'name'],
    groups: ['groups'],
  },
  features: {
    registration: { enabled: true, initialAccessToken: config.initialAccessToken || false },
    registrationManagement: { enabled: true },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    devInteractions: { enabled: true },
  },
  findAccount: async (ctx, id) => ({ accountId: id, claims: async () => claimsFor(id) }),
  cookies: { keys: ['hubctl-testbed-cookie-key-0123456789'] },
  // OAuthenticator sends PKCE anyway; clients under test need not.
  pkce: { required: () => false },
});

// One line per request, so a failed test's log tail shows the flow.
provider.use(async (ctx, next) => {
  await next();
  console.log(`${ctx.method} ${ctx.path} -> ${ctx.status}`);
});
for (const event of ['server_error', 'authorization.error', 'grant.error', 'registration_create.error',
  'userinfo.error', 'introspection.error', 'revocation.error']) {
  provider.on(event, (ctx, err) => console.log(`${event}: ${err.name} ${err.message} ${err.error_description ?? ''}`));
}

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on 127.0.0.1:${config.port}, issuer ${config.issuer}`);
});
