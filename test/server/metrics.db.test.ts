import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { createTestApp, useTestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

/** GET /metrics: Prometheus' text for a scraper with METRICS_TOKEN, and nothing for anyone else. */

const TOKEN = 'metrics-token-0123456789-abcdefghijklmnop';
let app: App;
let testDb: TestDatabase;
useTestApp((made) => ({ app, testDb } = made), { METRICS_TOKEN: TOKEN }, { start: true });

const scrape = (authorization?: string) => app.server.request('/metrics', authorization ? { headers: { authorization } } : {});

/** The value of one sample line, e.g. `tussenin_sends_total{channel="web",outcome="sent"}`. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('/metrics', () => {
  it('refuses a scraper without the token, and says how to send it', async () => {
    const none = await scrape();
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ reason: expect.stringContaining('METRICS_TOKEN') });
    expect((await scrape('Bearer wrong-wrong-wrong-wrong-wrong-wrong-wrong')).status).toBe(401);
  });

  it('counts steps, sends and reply latency, and reads the outbox depth, after a resident wrote', async () => {
    const chat = await new WebchatClient(app.server).startSession();
    await chat.say('hallo');
    await chat.say('1');
    // The sends are recorded a few milliseconds after they went.
    let text = '';
    for (let i = 0; i < 50; i++) {
      const res = await scrape(`Bearer ${TOKEN}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/plain');
      text = await res.text();
      if ((sample(text, 'tussenin_sends_total{channel="web",outcome="sent"}') ?? 0) >= 3) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(sample(text, 'tussenin_step_duration_seconds_count{kind="inbound"}')).toBe(2);
    expect(sample(text, 'tussenin_sends_total{channel="web",outcome="sent"}')).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'tussenin_reply_latency_seconds_count{channel="web"}')).toBe(2);
    expect(sample(text, 'tussenin_outbox_pending')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'tussenin_outbox_oldest_pending_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).toContain('tussenin_nodejs_eventloop_lag_seconds');
    expect(text).toContain('tussenin_process_resident_memory_bytes');
    // Counts only: nothing the resident wrote.
    expect(text).not.toContain('hallo');
  });

  it('is off without METRICS_TOKEN: 404 with the reason', async () => {
    const off = await createTestApp(testDb.database);
    try {
      const res = await off.server.request('/metrics');
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ reason: expect.stringContaining('METRICS_TOKEN') });
    } finally {
      await off.close();
    }
  });
});
