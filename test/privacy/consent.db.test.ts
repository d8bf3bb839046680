import { asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { consents, handoffs, intakes } from '../../src/db/schema.js';
import { createConsentVersions } from '../../src/privacy/consent-version.js';
import { intakeFlow, texts } from '../helpers/engine-driver.js';
import { residentIdOf } from '../helpers/staff-client.js';
import { useTestApp } from '../helpers/test-app.js';
import { onPostgres, type TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

let testDb: TestDatabase;
let app: App;

useTestApp((made) => ({ app, testDb } = made));

const versions = createConsentVersions(intakeFlow, texts, { org: 'Al Amal' });

async function chatting(...lines: string[]) {
  const chat = await new WebchatClient(app.server).startSession();
  for (const line of lines) await chat.say(line);
  return { chat, residentId: await residentIdOf(app, chat) };
}

const recordsOf = (residentId: string) =>
  testDb.database.db.select().from(consents).where(eq(consents.residentId, residentId)).orderBy(asc(consents.id));

describe('the version of the consent text', () => {
  it('is a short hash of the question and answers as shown, per language, and changes with the wording', () => {
    const nl = versions('nl');
    expect(nl).toMatch(/^[0-9a-f]{12}$/);
    expect(new Set(['nl', 'ar', 'tr', 'en'].map(versions)).size).toBe(4);
    expect(versions('nl')).toBe(nl);
    // another organisation name is another text the resident agreed to
    expect(createConsentVersions(intakeFlow, texts, { org: 'Buurtwerk' })('nl')).not.toBe(nl);
    const reworded = {
      ...texts,
      t: (l: string, k: string, v?: Record<string, unknown>) => texts.t(l, k, v) + (k === 'bot:consent.prompt' ? '!' : ''),
    };
    expect(createConsentVersions(intakeFlow, reworded, { org: 'Al Amal' })('nl')).not.toBe(nl);
  });
});

describe(`consent records on ${onPostgres ? 'Postgres' : 'PGlite'}`, () => {
  it('records a yes with its time, language and text version, in the transaction of the answer', async () => {
    const before = Date.now();
    const { residentId } = await chatting('hallo', '2', '1'); // Arabic, then "yes"
    const [record, ...more] = await recordsOf(residentId);
    expect(more).toEqual([]);
    expect(record).toMatchObject({ decision: 'agreed', locale: 'ar', textVersion: versions('ar') });
    expect(record!.at.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(record!.at.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    // answers after it are kept as the intake
    const chat = (await testDb.database.db.select().from(intakes).where(eq(intakes.residentId, residentId)))[0];
    expect(chat?.consent).toBe(true);
  });

  it('records a no, and keeps nothing of the intake beyond what it takes to answer and reach a person', async () => {
    const { chat, residentId } = await chatting('hallo', '1', 'nee');
    expect(await recordsOf(residentId)).toMatchObject([{ decision: 'declined', locale: 'nl', textVersion: versions('nl') }]);
    await chat.say('1'); // talk to a person
    expect(await testDb.database.db.select().from(intakes)).toEqual([]);
    const [handoff] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.residentId, residentId));
    expect(handoff).toMatchObject({ reason: 'consent-declined', summary: {}, preferences: { language: 'nl' } });
  });

  it('records a no after an earlier yes in the same conversation as withdrawn, and drops what the yes let us keep', async () => {
    // yes, an answer, a person asked for (the handoff holds the answers), then start over and no
    const { chat, residentId } = await chatting('hallo', '1', 'ja', '3', 'verder', '2', 'persoon');
    const [open] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.residentId, residentId));
    expect(open!.summary).toMatchObject({ domains: ['money'] });
    expect(await testDb.database.db.select().from(intakes)).toHaveLength(1);

    for (const line of ['opnieuw', '1', 'nee']) await chat.say(line);
    expect((await recordsOf(residentId)).map((r) => r.decision)).toEqual(['agreed', 'withdrawn']);
    expect(await testDb.database.db.select().from(intakes)).toEqual([]);
    const [after] = await testDb.database.db.select().from(handoffs).where(eq(handoffs.id, open!.id));
    expect(after!.summary).toEqual({});
    expect(Object.keys(after!.preferences)).toEqual(['language']);

    // and a yes again is a new agreement
    for (const line of ['opnieuw', '1', 'ja']) await chat.say(line);
    expect((await recordsOf(residentId)).map((r) => r.decision)).toEqual(['agreed', 'withdrawn', 'agreed']);
  });

  it('records nothing when the question is skipped, and keeps no intake then either', async () => {
    const { residentId } = await chatting('hallo', '1', 'overslaan', '1');
    expect(await recordsOf(residentId)).toEqual([]);
    expect(await testDb.database.db.select().from(intakes)).toEqual([]);
  });
});
