import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { parseTrustProxy, resolveClientAddress } from '../../src/server/client-address.js';

/**
 * Behind a reverse proxy every request comes from the proxy: per-address limits must see the client,
 * and only as far as TRUST_PROXY says the X-Forwarded-For header may be believed.
 */
describe('the client address behind a reverse proxy', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY is set: a client can write anything there', () => {
    expect(resolveClientAddress('203.0.113.9', '1.2.3.4', parseTrustProxy(undefined))).toBe('203.0.113.9');
    expect(resolveClientAddress('203.0.113.9', '1.2.3.4', parseTrustProxy('false'))).toBe('203.0.113.9');
  });

  it('with one trusted hop takes the address the proxy added, not one the client forged before it', () => {
    const oneHop = parseTrustProxy('1');
    expect(resolveClientAddress('127.0.0.1', '198.51.100.7', oneHop)).toBe('198.51.100.7');
    expect(resolveClientAddress('127.0.0.1', '6.6.6.6, 198.51.100.7', oneHop)).toBe('198.51.100.7');
    expect(resolveClientAddress('127.0.0.1', '::ffff:198.51.100.7', oneHop)).toBe('198.51.100.7');
    // Two residents behind the same proxy are two addresses, so one cannot use up the other's limit.
    expect(resolveClientAddress('127.0.0.1', '198.51.100.8', oneHop)).not.toBe(
      resolveClientAddress('127.0.0.1', '198.51.100.7', oneHop),
    );
  });

  it('with proxy addresses walks the header from the right past the listed proxies only', () => {
    const proxies = parseTrustProxy('10.0.0.2, 192.168.1.0/24');
    expect(resolveClientAddress('10.0.0.2', '198.51.100.7, 192.168.1.40', proxies)).toBe('198.51.100.7');
    expect(resolveClientAddress('10.0.0.2', '6.6.6.6, 198.51.100.7', proxies)).toBe('198.51.100.7');
    // A request that did not come through a listed proxy is taken at its own address.
    expect(resolveClientAddress('203.0.113.9', '1.2.3.4', proxies)).toBe('203.0.113.9');
  });

  it('stops start-up on a TRUST_PROXY it cannot read, naming the variable', () => {
    expect(() => loadConfig({ TRUST_PROXY: 'nginx' })).toThrow(ConfigError);
    expect(() => loadConfig({ TRUST_PROXY: '10.0.0.0/40' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toEqual({ kind: 'hops', hops: 2 });
  });
});
