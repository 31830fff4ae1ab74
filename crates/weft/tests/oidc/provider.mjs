// The OpenID provider weft's single sign-on tests sign in through: oidc-provider (a
// certified implementation) with its development sign-in form (any password), a few people
// whose claims the test may change, and a way to spoil the next ID token it issues (signed
// with its own key all the same) so that weft's checks are tested against real tokens.
//
//   PORT=0 REDIRECT_URI=http://127.0.0.1:8080/sso/callback CLIENT_SECRET=... node provider.mjs
//
// Prints `listening on http://127.0.0.1:PORT` once it answers.
//   POST /_test/people/LOGIN   {"groups": [...], ...}  sets a person's claims
//   POST /_test/spoil          {"aud"|"exp"|"nonce"|"iss"|"key": ...} spoils the next ID token
import http from 'node:http';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const redirect = process.env.REDIRECT_URI;
const secret = process.env.CLIENT_SECRET;
if (!redirect || !secret) {
  console.error('REDIRECT_URI and CLIENT_SECRET are required');
  process.exit(2);
}

const people = {
  alice: { email: 'alice@corp.example', name: 'Alice Admin', groups: ['weft-admins'] },
  bob: { email: 'bob@corp.example', name: 'Bob Analyst', groups: ['weft-analysts', 'staff'] },
  carol: { email: 'carol@corp.example', name: 'Carol Operator', groups: ['weft-operators'] },
  dave: { email: 'dave@corp.example', name: 'Dave Nobody', groups: ['staff'] },
};

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signing = { ...(await jose.exportJWK(privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
const { privateKey: strangerKey } = await jose.generateKeyPair('RS256');

let spoil = null;

const server = http.createServer();
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'weft',
        client_secret: secret,
        redirect_uris: [redirect],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
      {
        client_id: 'another-app',
        client_secret: 'another-secret',
        redirect_uris: [redirect],
        response_types: ['code'],
        grant_types: ['authorization_code'],
      },
    ],
    jwks: { keys: [signing] },
    pkce: { required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      groups: ['groups'],
    },
    // weft reads the person from the ID token; put every granted claim in it.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true } },
    async findAccount(ctx, login) {
      const person = people[login];
      if (!person) return undefined;
      return {
        accountId: login,
        async claims() {
          return { sub: login, preferred_username: login, email_verified: true, ...people[login] };
        },
      };
    },
    // A first-party application: no consent screen.
    async loadExistingGrant(ctx) {
      const grantId = ctx.oidc.result?.consent?.grantId
        || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile groups');
      grant.addOIDCClaims(['email', 'email_verified', 'name', 'preferred_username', 'groups']);
      await grant.save();
      return grant;
    },
  });

  provider.use(async (ctx, next) => {
    await next();
    if (spoil && ctx.path === '/token' && ctx.status === 200 && ctx.body?.id_token) {
      const how = spoil;
      spoil = null;
      const claims = jose.decodeJwt(ctx.body.id_token);
      const now = Math.floor(Date.now() / 1000);
      if (how.aud) claims.aud = how.aud;
      if (how.iss) claims.iss = how.iss;
      if (how.nonce) claims.nonce = how.nonce;
      if (how.exp) {
        claims.iat = now - 7200;
        claims.exp = now - 3600;
      }
      const key = how.key ? strangerKey : privateKey;
      ctx.body = {
        ...ctx.body,
        id_token: await new jose.SignJWT(claims)
          .setProtectedHeader({ alg: 'RS256', kid: 'test-key', typ: 'JWT' })
          .sign(key),
      };
    }
  });

  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'POST' && req.url.startsWith('/_test/')) {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        const parsed = JSON.parse(body || '{}');
        if (req.url === '/_test/spoil') {
          spoil = parsed;
        } else if (req.url.startsWith('/_test/people/')) {
          const login = decodeURIComponent(req.url.slice('/_test/people/'.length));
          people[login] = { ...(people[login] || {}), ...parsed };
        } else {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(204).end();
      });
      return;
    }
    callback(req, res);
  });
  console.log(`listening on ${issuer}`);
});
