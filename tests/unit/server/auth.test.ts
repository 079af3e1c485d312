import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { Auth, OPERATOR_COOKIE, parseCookies, tokensEqual, VIEW_COOKIE } from '../../../src/server/auth.js';
import { TOKEN_PRINCIPAL } from '../../../src/server/principal.js';

function request(parts: { headers?: Record<string, string>; query?: Record<string, string> }): FastifyRequest {
  // A request is plain data to Auth: headers and query. Building it by hand keeps this a unit test.
  return { headers: parts.headers ?? {}, query: parts.query ?? {} } as unknown as FastifyRequest;
}

function cookieValue(setCookie: string): string {
  return setCookie.split(';')[0] ?? '';
}

describe('auth', () => {
  let now = 1_000_000;
  const auth = new Auth(
    {
      viewToken: 'view-token',
      operatorToken: 'op-token',
      allowedOrigins: ['https://scada.plant'],
      sessionTtlMs: 60_000,
    },
    () => now,
  );

  it('compares tokens of any length without throwing', () => {
    expect(tokensEqual('abc', 'abc')).toBe(true);
    expect(tokensEqual('abc', 'abcd')).toBe(false);
    expect(tokensEqual('', 'x')).toBe(false);
  });

  it('lets viewers in with the view token, the operator token, the view cookie or an operator session', () => {
    expect(auth.viewer(request({}))).toBe(false);
    expect(auth.viewer(request({ headers: { authorization: 'Bearer view-token' } }))).toBe(true);
    expect(auth.viewer(request({ query: { token: 'view-token' } }))).toBe(true);
    expect(auth.viewer(request({ query: { token: 'op-token' } }))).toBe(true);
    expect(auth.viewer(request({ query: { token: 'wrong' } }))).toBe(false);
    expect(auth.viewer(request({ headers: { cookie: cookieValue(auth.viewCookie(false)) } }))).toBe(true);
    expect(auth.viewer(request({ headers: { cookie: `${VIEW_COOKIE}=forged` } }))).toBe(false);
    expect(auth.viewer(request({ headers: { cookie: cookieValue(auth.sessionCookie(TOKEN_PRINCIPAL, false)) } }))).toBe(
      true,
    );
  });

  it('lets operators act with the bearer token or an unexpired session, and says why not otherwise', () => {
    expect(auth.principal(request({})).kind).toBe('missing');
    expect(auth.principal(request({ headers: { authorization: 'Bearer op-token' } })).kind).toBe('ok');
    expect(auth.principal(request({ headers: { authorization: 'Bearer view-token' } })).kind).toBe('invalid');
    const session = cookieValue(auth.sessionCookie(TOKEN_PRINCIPAL, false));
    expect(auth.principal(request({ headers: { cookie: session } })).kind).toBe('ok');
    const [, value] = session.split('=');
    const [expiry] = (value ?? '').split('.');
    // Moving the expiry invalidates the signature.
    expect(
      auth.principal(
        request({ headers: { cookie: `${OPERATOR_COOKIE}=${Number(expiry) + 1e9}.${value?.split('.')[1]}` } }),
      ).kind,
    ).toBe('invalid');
    now += 61_000;
    expect(auth.principal(request({ headers: { cookie: session } })).kind).toBe('invalid');
  });

  it('keeps sessions valid on a clock with fractional ms (the demo runs on the simulator clock)', () => {
    let simNow = 1_796_420_998_089.4028;
    const demoAuth = new Auth({ operatorToken: 'demo', allowedOrigins: [], sessionTtlMs: 60_000 }, () => simNow);
    const session = cookieValue(demoAuth.sessionCookie(TOKEN_PRINCIPAL, false));
    simNow += 1_000.25;
    expect(demoAuth.principal(request({ headers: { cookie: session } })).kind).toBe('ok');
  });

  it('treats an empty token ("${TOKEN:-}" unset) as not configured', () => {
    const open = new Auth({ viewToken: '', operatorToken: '', allowedOrigins: [], sessionTtlMs: 1 }, () => 0);
    expect(open.viewer(request({}))).toBe(true);
    expect(open.principal(request({ headers: { authorization: 'Bearer ' } })).kind).toBe('disabled');
    expect(open.operatorEnabled).toBe(false);
  });

  it('allows same-origin and configured origins only', () => {
    expect(auth.originAllowed(request({ headers: { host: 'pi:8080' } }))).toBe(true);
    expect(auth.originAllowed(request({ headers: { host: 'pi:8080', origin: 'http://pi:8080' } }))).toBe(true);
    expect(auth.originAllowed(request({ headers: { host: 'pi:8080', origin: 'https://scada.plant' } }))).toBe(true);
    expect(auth.originAllowed(request({ headers: { host: 'pi:8080', origin: 'http://evil.example' } }))).toBe(false);
    expect(auth.originAllowed(request({ headers: { host: 'pi:8080', origin: 'null' } }))).toBe(false);
  });

  it('parses cookie headers leniently', () => {
    expect([...parseCookies('a=1; b=2;c=3=4; =x; junk')]).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3=4'],
    ]);
  });
});
