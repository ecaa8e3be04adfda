// A local OpenID provider (the npm package oidc-provider) set up like NHS CIS2 or like NHS login,
// for the tests and for the demo. Never used in production.
//
//   node tests/oidc/provider.mjs cis2|nhs_login [config.json]
//
// config.json (optional): {"port": 0, "clients": [{client_id, redirect_uris, jwks | jwks_uri,
// backchannel_logout_uri}], "users": {"cis2": {...}, "nhs_login": {...}}}; without it, OIDC_CLIENTS (the same list as JSON) and OIDC_PORT are
// read from the environment. On start it prints one line of JSON, {"issuer": ...}, to stdout.
//
// Users are picked by `login_hint` (the tests), or from a list on its sign-in page (the demo).
// Each user's claims are in users.json beside this file: what CIS2 or NHS login would say about
// them. Keys starting with "_" steer the provider itself:
//   _auth_age_seconds  signs the user in that long ago (auth_time in the past)
//   _userinfo_sub      the userinfo endpoint answers for another subject
//   _acr               the acr value reported for the sign-in
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync, randomUUID } from 'node:crypto';

import Provider from 'oidc-provider';

const here = dirname(fileURLToPath(import.meta.url));
const profile = process.argv[2];
if (!['cis2', 'nhs_login'].includes(profile)) {
  console.error('usage: provider.mjs cis2|nhs_login [config.json]');
  process.exit(2);
}
const config = process.argv[3]
  ? JSON.parse(readFileSync(process.argv[3], 'utf8'))
  : {
    port: Number(process.env.OIDC_PORT || 0),
    clients: JSON.parse(process.env.OIDC_CLIENTS || '[]'),
  };
// The demo passes its own users (its personas) in the config; the tests use users.json.
const users = config.users?.[profile]
  ?? JSON.parse(readFileSync(join(here, 'users.json'), 'utf8'))[profile];

// CIS2's issuer carries a path; NHS login's does not.
const ISSUER_PATH = profile === 'cis2' ? '/openam/oauth2/realms/root/realms/oidc' : '';

const PROFILES = {
  cis2: {
    scopes: ['openid', 'profile', 'email', 'nationalrbacaccess', 'associatedorgs', 'selectedrole'],
    claims: {
      openid: ['sub', 'id_assurance_level', 'authentication_assurance_level'],
      profile: ['name', 'given_name', 'family_name'],
      email: ['email'],
      nationalrbacaccess: ['nhsid_nrbac_roles'],
      associatedorgs: ['nhsid_user_orgs'],
      selectedrole: ['selected_roleid'],
    },
    acrValues: ['AAL3_ANY', 'AAL2_OR_AAL3_ANY', 'AAL2_ANY', 'AAL1_USERPASS'],
    extraParams: [],
  },
  nhs_login: {
    scopes: ['openid', 'profile', 'email', 'phone'],
    claims: {
      openid: ['sub', 'vot', 'identity_proofing_level'],
      profile: ['nhs_number', 'given_name', 'family_name', 'birthdate'],
      email: ['email', 'email_verified'],
      phone: ['phone_number', 'phone_number_verified'],
    },
    acrValues: [],
    extraParams: ['vtr'],
  },
};
const setup = PROFILES[profile];

function publicClaims(user) {
  return Object.fromEntries(Object.entries(user).filter(([key]) => !key.startsWith('_')));
}

function findUser(accountId) {
  return Object.values(users).find((user) => user.sub === accountId);
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS512', use: 'sig' };

const server = http.createServer();
server.listen(config.port || 0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}${ISSUER_PATH}`;
  const provider = new Provider(issuer, {
    clients: config.clients.map((client) => ({
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'RS512',
      id_token_signed_response_alg: 'RS512',
      ...client,
    })),
    jwks: { keys: [signingKey] },
    scopes: setup.scopes,
    claims: setup.claims,
    acrValues: setup.acrValues,
    extraParams: setup.extraParams,
    // CIS2 and NHS login put the assurance claims in the ID token itself.
    conformIdTokenClaims: false,
    enabledJWA: {
      clientAuthSigningAlgValues: ['RS256', 'RS512', 'PS256', 'PS512'],
      idTokenSigningAlgValues: ['RS256', 'RS512'],
    },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    pkce: { required: () => false },
    // The service runs on 127.0.0.1 here: let the provider reach it (back-channel logout, the
    // service's JWKS), which its protection against private addresses would refuse.
    fetch: (url, options) => {
      delete options.dispatcher;
      return globalThis.fetch(url, options);
    },
    async findAccount(ctx, sub, token) {
      const user = findUser(sub);
      if (!user) return undefined;
      const answersAs = token?.kind === 'AccessToken' && user._userinfo_sub ? user._userinfo_sub : sub;
      return {
        accountId: answersAs,
        async claims() {
          return { ...publicClaims(user), sub: answersAs };
        },
      };
    },
    // Consent is the service's, not the provider's: every scope asked for is granted.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      grant.addOIDCClaims(Object.values(setup.claims).flat());
      await grant.save();
      return grant;
    },
    interactions: { url: (ctx, interaction) => `${ISSUER_PATH}/interaction/${interaction.uid}` },
    ttl: { Session: 12 * 60 * 60, Interaction: 10 * 60, Grant: 12 * 60 * 60 },
  });
  provider.proxy = false;
  const callback = provider.callback();

  // A test or the demo ends a user's sessions as CIS2 would: POST /test/logout/<sub> sends a
  // back-channel logout to every client that has a back-channel logout URI.
  async function logout(req, res, sub) {
    const failures = [];
    for (const client of config.clients) {
      if (!client.backchannel_logout_uri) continue;
      const found = await provider.Client.find(client.client_id);
      try {
        await found.backchannelLogout(sub, randomUUID());
      } catch (error) {
        failures.push(String(error));
      }
    }
    res.writeHead(failures.length ? 502 : 204, { 'content-type': 'text/plain' });
    res.end(failures.join('\n'));
  }

  async function interaction(req, res) {
    const details = await provider.interactionDetails(req, res);
    let hint = details.params.login_hint;
    if (req.method === 'POST') {
      const body = await new Promise((resolve) => {
        let data = '';
        req.on('data', (chunk) => { data += chunk; });
        req.on('end', () => resolve(new URLSearchParams(data)));
      });
      hint = body.get('login_hint');
    }
    const user = users[hint];
    if (!user) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(chooser(req.url));
      return;
    }
    const ageSeconds = user._auth_age_seconds || 0;
    await provider.interactionFinished(req, res, {
      login: {
        accountId: user.sub,
        ts: Math.floor(Date.now() / 1000) - ageSeconds,
        acr: user._acr || (profile === 'cis2' ? 'AAL3_ANY' : undefined),
        amr: ['pwd'],
      },
    }, { mergeWithLastSubmission: false });
  }

  function chooser(action) {
    const escape = (text) => String(text).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
    const options = Object.entries(users).map(([hint, user]) => (
      `<li><button name="login_hint" value="${escape(hint)}">${escape(user._label || hint)}</button></li>`
    )).join('');
    const title = profile === 'cis2' ? 'Local CIS2 (test provider)' : 'Local NHS login (test provider)';
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>`
      + `<body><main><h1>${title}</h1><p>Choose who to sign in as. This stands in for the real `
      + `service on this computer only.</p><form method="post" action="${escape(action)}"><ul>`
      + `${options}</ul></form></main></body></html>`;
  }

  server.on('request', (req, res) => {
    const path = req.url.split('?')[0];
    const local = path.startsWith(ISSUER_PATH) ? path.slice(ISSUER_PATH.length) : null;
    let handled;
    if (local !== null && local.startsWith('/interaction/')) {
      handled = interaction(req, res);
    } else if (req.method === 'POST' && local !== null && local.startsWith('/test/logout/')) {
      handled = logout(req, res, decodeURIComponent(local.slice('/test/logout/'.length)));
    } else {
      // Mounted under the issuer's path, as an express app would mount it.
      if (local === null) {
        res.writeHead(404);
        res.end();
        return;
      }
      req.originalUrl = req.url;
      req.url = req.url.slice(ISSUER_PATH.length) || '/';
      callback(req, res);
      return;
    }
    handled.catch((error) => {
      console.error(error);
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  console.log(JSON.stringify({ issuer }));
});
