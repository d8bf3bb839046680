import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { openDatabase, type Database } from '../../src/db/database.js';
import { erasureCounts, residents, scheduledJobs } from '../../src/db/schema.js';
import { monthOf } from '../../src/conversation/effects/erase.js';
import { purgeDue } from '../../src/privacy/retention.js';
import { createScheduledJob } from '../../src/privacy/scheduled-job.js';
import { findLeftovers } from '../helpers/leftovers.js';
import { addStaff, openHandoffOf, residentIdOf, StaffBrowser } from '../helpers/staff-client.js';
import { createTestApp, silentLogger } from '../helpers/test-app.js';
import { createTestDatabase, onPostgres, type TestDatabase } from '../helpers/test-database.js';
import { WebchatClient } from '../helpers/webchat-client.js';

let testDb: TestDatabase;
let app: App;
let coordinator: StaffBrowser;

const policy = { closedDays: 365, abandonedDays: 90 };

beforeAll(async () => {
  testDb = await createTestDatabase();
  app = await createTestApp(testDb.database, {}, { inbox: { loginAttemptsPerMinute: 1000 } });
});
afterAll(async () => {
  await app.close();
  await testDb.destroy();
});
beforeEach(async () => {
  await testDb.truncate();
  const person = await addStaff(app, { role: 'coordinator' });
  coordinator = new StaffBrowser(app.server);
  await coordinator.login(person.email);
});

const db = () => testDb.database.db;

/** Moves everything of a resident `days` into the past, as if it had happened then. */
async function age(residentId: string, days: number): Promise<void> {
  const shift = sql.raw(`interval '${days} days'`);
  await db().execute(
    sql`update residents set created_at = created_at - ${shift}, last_inbound_at = last_inbound_at - ${shift} where id = ${residentId}`,
  );
  await db().execute(sql`update messages set created_at = created_at - ${shift} where resident_id = ${residentId}`);
  await db().execute(
    sql`update handoffs set created_at = created_at - ${shift}, updated_at = updated_at - ${shift}, closed_at = closed_at - ${shift} where resident_id = ${residentId}`,
  );
}

/** A resident who wrote `lines`, with a distinctive word in them; with `closeCase`, their handoff is claimed and closed. */
async function resident(tag: string, lines: string[], options: { closeCase?: boolean } = {}) {
  const chat = await new WebchatClient(app.server).startSession();
  await chat.say(`hallo ${tag}`);
  for (const line of lines) await chat.say(line);
  const id = await residentIdOf(app, chat);
  if (options.closeCase) {
    const handoff = await openHandoffOf(app, chat);
    await coordinator.post(`/inbox/handoffs/${handoff}/claim`);
    await coordinator.post(`/inbox/handoffs/${handoff}/notes`, { text: `note ${tag}` });
    expect((await coordinator.post(`/inbox/handoffs/${handoff}/close`)).status).toBe(303);
  }
  return { id, tag };
}

const remaining = async (ids: string[]) =>
  (await db().select({ id: residents.id }).from(residents).where(inArray(residents.id, ids))).map((r) => r.id).sort();

describe(`the retention purge on ${onPostgres ? 'Postgres' : 'PGlite'}`, () => {
  it('purges closed cases after the closed period and abandoned intakes after theirs, keeps the rest, counts and audits it', async () => {
    const closedOld = await resident('ZQR-closed-old', ['persoon'], { closeCase: true });
    const closedRecent = await resident('ZQR-closed-recent', ['persoon'], { closeCase: true });
    const abandonedOld = await resident('ZQR-abandoned-old', ['1', 'ja', 'mijn verhaal']);
    const abandonedRecent = await resident('ZQR-abandoned-recent', ['1', 'ja']);
    const waitingOld = await resident('ZQR-waiting-old', ['persoon']); // nobody picked it up: staff must close it first
    const closedButBack = await resident('ZQR-back', ['persoon'], { closeCase: true });

    await age(closedOld.id, 400);
    await age(closedRecent.id, 200);
    await age(abandonedOld.id, 100);
    await age(abandonedRecent.id, 60);
    await age(waitingOld.id, 1000);
    await age(closedButBack.id, 400);
    // a year after the case closed they wrote again: their last activity is now
    await db().execute(sql`update residents set last_inbound_at = now() where id = ${closedButBack.id}`);

    const result = await purgeDue({ database: testDb.database, erasure: app.services.erasure, policy });
    expect(result).toEqual({ closed: 1, abandoned: 1, confirmed: 0 });
    const all = [closedOld, closedRecent, abandonedOld, abandonedRecent, waitingOld, closedButBack].map((r) => r.id);
    expect(await remaining(all)).toEqual([closedRecent.id, abandonedRecent.id, waitingOld.id, closedButBack.id].sort());
    expect(await findLeftovers(testDb.database, ['ZQR-closed-old', 'ZQR-abandoned-old', 'note ZQR-closed-old'])).toEqual([]);
    expect(
      await findLeftovers(testDb.database, [closedOld.id, abandonedOld.id], {
        allowed: ['audit_log.resident_id', 'audit_log.handoff_id', 'audit_log.detail'],
      }),
    ).toEqual([]);

    const counts = await db().select().from(erasureCounts).orderBy(erasureCounts.reason);
    expect(counts).toMatchObject([
      { month: monthOf(new Date()), channel: 'web', reason: 'retention-abandoned', residents: 1, handoffs: 0 },
      { month: monthOf(new Date()), channel: 'web', reason: 'retention-closed', residents: 1, handoffs: 1 },
    ]);
    const entries = (await app.services.audit.list()).filter((e) => e.action === 'resident.purge');
    expect(entries.map((e) => e.residentId).sort()).toEqual([closedOld.id, abandonedOld.id].sort());
    expect(entries.every((e) => e.actorId === 'system' && e.via === 'system' && e.onBehalfOf === 'organisation')).toBe(true);
    expect(entries.map((e) => e.detail?.erasure).sort()).toEqual(['retention-abandoned', 'retention-closed']);
    expect(await app.services.audit.verify()).toMatchObject({ ok: true });
    expect((await coordinator.page('/inbox/audit')).html).toContain('Systeem (bewaartermijn)');

    // nothing more is due: a second run does nothing
    expect(await purgeDue({ database: testDb.database, erasure: app.services.erasure, policy })).toEqual({
      closed: 0,
      abandoned: 0,
      confirmed: 0,
    });
    // with shorter periods the recent ones go too (and the one with a case waiting never does)
    const shorter = await purgeDue({
      database: testDb.database,
      erasure: app.services.erasure,
      policy: { closedDays: 30, abandonedDays: 30 },
    });
    expect(shorter).toMatchObject({ closed: 1, abandoned: 1 });
    expect(await remaining(all)).toEqual([waitingOld.id, closedButBack.id].sort());
  });

  it('keeps a resident who writes in between the choice and the purge', async () => {
    const old = await resident('ZQR-race', ['1', 'ja']);
    await age(old.id, 100);
    let calls = 0;
    const erasure = {
      ...app.services.erasure,
      // the resident writes just before their row is locked
      purge: async (...args: Parameters<App['services']['erasure']['purge']>) => {
        calls++;
        await db().update(residents).set({ lastInboundAt: new Date() }).where(eq(residents.id, old.id));
        return app.services.erasure.purge(...args);
      },
    };
    expect(await purgeDue({ database: testDb.database, erasure, policy })).toMatchObject({ closed: 0, abandoned: 0 });
    expect(calls).toBe(1);
    expect(await remaining([old.id])).toEqual([old.id]);
  });
});

describe(`the scheduled purge job on ${onPostgres ? 'Postgres' : 'PGlite'}`, () => {
  const job = (database: Database, holder: string, runs: string[], everyMs = 3_600_000) =>
    createScheduledJob({
      database,
      logger: silentLogger,
      name: 'test-job',
      everyMs,
      holder,
      run: async () => {
        runs.push(holder);
        await new Promise((resolve) => setTimeout(resolve, 50));
        return { done: 1 };
      },
    });
  const row = async () => (await db().select().from(scheduledJobs).where(eq(scheduledJobs.name, 'test-job')))[0]!;

  it('runs once however many instances ask at the same moment, and not again before its time', async () => {
    // On Postgres the second instance has its own connection pool, as another process would.
    const other = onPostgres ? await openDatabase({ databaseUrl: testDb.url!, dataDir: '', poolSize: 5 }) : testDb.database;
    try {
      const runs: string[] = [];
      const instances = [
        job(testDb.database, 'a', runs),
        job(other, 'b', runs),
        job(testDb.database, 'c', runs),
        job(other, 'd', runs),
      ];
      const ran = await Promise.all(instances.map((j) => j.runIfDue()));
      expect(ran.filter(Boolean)).toHaveLength(1);
      expect(runs).toHaveLength(1);
      expect(await Promise.all(instances.map((j) => j.runIfDue()))).toEqual([false, false, false, false]);
      const after = await row();
      expect(after).toMatchObject({ holder: null, leaseUntil: null, lastResult: { done: 1 } });
      expect(after.nextRunAt.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    } finally {
      if (other !== testDb.database) await other.close();
    }
  });

  it('keeps its plan across a restart, and takes over from an instance that died while running', async () => {
    const runs: string[] = [];
    expect(await job(testDb.database, 'first', runs).runIfDue()).toBe(true);
    // a new process (a new job object) finds the next run in the future
    expect(await job(testDb.database, 'restarted', runs).runIfDue()).toBe(false);
    await db()
      .update(scheduledJobs)
      .set({ nextRunAt: new Date(Date.now() - 1000) })
      .where(eq(scheduledJobs.name, 'test-job'));
    // an instance holds it (running) until its lease ends: nobody else starts it
    await db()
      .update(scheduledJobs)
      .set({ holder: 'crashed', leaseUntil: new Date(Date.now() + 60_000) })
      .where(eq(scheduledJobs.name, 'test-job'));
    expect(await job(testDb.database, 'restarted', runs).runIfDue()).toBe(false);
    // it died: its lease runs out, and the next instance runs it
    await db()
      .update(scheduledJobs)
      .set({ leaseUntil: new Date(Date.now() - 1) })
      .where(eq(scheduledJobs.name, 'test-job'));
    expect(await job(testDb.database, 'restarted', runs).runIfDue()).toBe(true);
    expect(runs).toEqual(['first', 'restarted']);
  });

  it('is how the app runs the purge: RETENTION_INTERVAL_MINUTES, audited as the system', async () => {
    const old = await resident('ZQR-app', ['1', 'ja']);
    await age(old.id, 100);
    const other = await createTestApp(testDb.database, { RETENTION_INTERVAL_MINUTES: '60' }, { instanceId: 'other-instance' });
    try {
      await Promise.all([app.retention.tick(), other.retention.tick()]);
      expect(await remaining([old.id])).toEqual([]);
      const [purge] = await db().select().from(scheduledJobs).where(eq(scheduledJobs.name, 'retention-purge'));
      expect(purge).toMatchObject({ lastResult: { closed: 0, abandoned: 1, confirmed: 0 } });
      expect(purge!.nextRunAt.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
      expect((await app.services.audit.list()).filter((e) => e.action === 'resident.purge')).toHaveLength(1);
    } finally {
      await other.close();
    }
    const off = await createTestApp(testDb.database, { RETENTION_INTERVAL_MINUTES: '0' });
    expect(off.retention.job).toBeNull();
    await off.close();
  });

  it('checks its settings at start and names the variable', () => {
    const base = { NODE_ENV: 'test' };
    expect(loadConfig(base)).toMatchObject({
      RETENTION_CLOSED_DAYS: 365,
      RETENTION_ABANDONED_DAYS: 90,
      RETENTION_INTERVAL_MINUTES: 60,
    });
    expect(() => loadConfig({ ...base, RETENTION_CLOSED_DAYS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, RETENTION_ABANDONED_DAYS: 'soon' })).toThrow(
      /RETENTION_ABANDONED_DAYS: expected a whole number of days/,
    );
    expect(() => loadConfig({ ...base, RETENTION_INTERVAL_MINUTES: '-1' })).toThrow(/RETENTION_INTERVAL_MINUTES/);
  });
});
