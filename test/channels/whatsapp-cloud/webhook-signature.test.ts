import { createHmac } from 'node:crypto';
import * as crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { signWebhookBody, verifyWebhookSignature } from '../../../src/channels/whatsapp-cloud/webhook-signature.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const SECRET = 'app-secret-0123456789abcdef';
const body = new TextEncoder().encode('{"object":"whatsapp_business_account","entry":[]}');
const metaSignature = `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

describe('the X-Hub-Signature-256 of a Cloud API webhook', () => {
  it('accepts the HMAC-SHA256 of the raw body under the app secret, as Meta computes it', () => {
    expect(signWebhookBody(body, SECRET)).toBe(metaSignature);
    expect(verifyWebhookSignature(body, metaSignature, SECRET)).toBe(true);
    // Hex digits in capitals are the same signature.
    expect(verifyWebhookSignature(body, `sha256=${metaSignature.slice(7).toUpperCase()}`, SECRET)).toBe(true);
  });

  it('refuses a signature made with another secret, or of other bytes', () => {
    expect(verifyWebhookSignature(body, signWebhookBody(body, 'another-secret'), SECRET)).toBe(false);
    const reserialised = new TextEncoder().encode('{"object": "whatsapp_business_account", "entry": []}');
    expect(verifyWebhookSignature(reserialised, metaSignature, SECRET)).toBe(false);
  });

  it('refuses a missing header, another scheme, and a signature of the wrong length', () => {
    expect(verifyWebhookSignature(body, undefined, SECRET)).toBe(false);
    expect(verifyWebhookSignature(body, '', SECRET)).toBe(false);
    expect(verifyWebhookSignature(body, metaSignature.replace('sha256=', 'sha1='), SECRET)).toBe(false);
    expect(verifyWebhookSignature(body, metaSignature.slice(0, -2), SECRET)).toBe(false);
    expect(verifyWebhookSignature(body, `${metaSignature}00`, SECRET)).toBe(false);
  });

  it('compares with crypto.timingSafeEqual, and only once the lengths match', () => {
    const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
    timingSafeEqual.mockClear();
    verifyWebhookSignature(body, metaSignature.slice(0, -2), SECRET);
    expect(timingSafeEqual).not.toHaveBeenCalled();
    verifyWebhookSignature(body, signWebhookBody(body, 'another-secret'), SECRET);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = timingSafeEqual.mock.calls[0]!;
    expect((a as Buffer).byteLength).toBe((b as Buffer).byteLength);
  });
});
