import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, whatsappMode } from '../../src/config/config.js';
import { projectPath } from '../../src/project-path.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'tussenin-startup-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `npm start`'s command with an environment and returns what a person would see. */
function start(env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectPath(),
    env: { PATH: process.env.PATH, DATA_DIR: dataDir, PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: result.status, stderr: result.stderr };
}

/** What start-up would refuse in `env`: its message, or '' when the settings are accepted. */
function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('configuration', () => {
  it('uses documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: './data', WEBCHAT_ENABLED: true });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('names every wrong variable and what it expects, and never echoes a secret', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', WEBCHAT_ENABLED: 'maybe', DATABASE_URL: 'mysql://root:hunter2@db/x' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('PORT: expected a port number between 1 and 65535 (got "eighty")');
    expect(message).toContain('WEBCHAT_ENABLED: expected true or false');
    expect(message).toContain('DATABASE_URL: expected a postgres:// or postgresql:// URL (got "(hidden)")');
    expect(message).not.toContain('hunter2');
  });
});

describe('group commit on Postgres (DATABASE_GROUP_COMMIT)', () => {
  it('shares a transaction among up to four messages by default; 1 turns it off', () => {
    expect(loadConfig({}).DATABASE_GROUP_COMMIT).toBe(4);
    expect(loadConfig({ DATABASE_GROUP_COMMIT: '1' }).DATABASE_GROUP_COMMIT).toBe(1);
  });

  it('refuses none, more than 16 and a fraction, naming the variable', () => {
    for (const value of ['0', '17', '2.5']) {
      expect(() => loadConfig({ DATABASE_GROUP_COMMIT: value })).toThrow(
        `DATABASE_GROUP_COMMIT: expected a whole number of messages from 1 to 16 (1: each its own transaction) (got "${value}")`,
      );
    }
  });
});

describe('office hours and continuity settings', () => {
  it('default to weekdays 09:00-17:00 in Amsterdam, returning residents for 90 days, escalation after 15 minutes', () => {
    const config = loadConfig({});
    expect(config.ORG_TIMEZONE).toBe('Europe/Amsterdam');
    expect([...config.ORG_HOURS.keys()]).toEqual([1, 2, 3, 4, 5]);
    expect(config.ORG_HOURS.get(1)).toEqual([{ from: 540, to: 1020 }]);
    expect(config).toMatchObject({ RETURN_TO_SAME_PERSON_DAYS: 90, ESCALATE_URGENT_AFTER_MINUTES: 15 });
  });

  it('name the variable and the fault of a wrong value', () => {
    expect(problems({ ORG_HOURS: 'mx 09:00-17:00' })).toMatch(/ORG_HOURS: expected opening hours .*unknown day "mx"/);
    expect(problems({ ORG_HOURS: 'mo-fr 17:00-09:00' })).toMatch(/ORG_HOURS: .*must end after it starts/);
    expect(problems({ ORG_TIMEZONE: 'Europe/Amsterdm' })).toContain('ORG_TIMEZONE: expected an IANA time zone');
    expect(problems({ ORG_CLOSED_DATES: '2026-02-30' })).toMatch(/ORG_CLOSED_DATES: expected dates .*2026-02-30/);
    expect(problems({ RETURN_TO_SAME_PERSON_DAYS: '-1' })).toContain(
      'RETURN_TO_SAME_PERSON_DAYS: expected a whole number of days',
    );
    expect(problems({ ESCALATE_URGENT_AFTER_MINUTES: 'soon' })).toContain(
      'ESCALATE_URGENT_AFTER_MINUTES: expected a whole number',
    );
  });

  it('want walk-in hours and address together', () => {
    expect(problems({ WALK_IN_HOURS: 'di 13:00-16:00' })).toContain('WALK_IN_ADDRESS: expected the walk-in address');
    expect(problems({ WALK_IN_ADDRESS: 'Kanaalstraat 10' })).toContain('WALK_IN_HOURS: expected the walk-in hours');
    expect(problems({ WALK_IN_HOURS: 'di 13:00-16:00', WALK_IN_ADDRESS: 'Kanaalstraat 10' })).toBe('');
  });
});

describe('WhatsApp settings', () => {
  const cloud = {
    WHATSAPP_MODE: 'cloud',
    WHATSAPP_CLOUD_TOKEN: 'EAAG0123456789abcdefghijklmnop',
    WHATSAPP_CLOUD_PHONE_NUMBER_ID: '106540352242922',
    WHATSAPP_CLOUD_APP_SECRET: '0123456789abcdef0123456789abcdef',
    WHATSAPP_CLOUD_VERIFY_TOKEN: 'a-verify-token-of-24-chars',
  };

  it('keep old configs working: WHATSAPP_ENABLED=true is WhatsApp Web, nothing set is off', () => {
    expect(whatsappMode(loadConfig({ WHATSAPP_ENABLED: 'true' }))).toBe('web');
    expect(whatsappMode(loadConfig({}))).toBe('off');
    expect(whatsappMode(loadConfig(cloud))).toBe('cloud');
  });

  it('name each Cloud API credential that is missing, never echo a secret, and refuse a contradiction', () => {
    const missing = problems({ WHATSAPP_MODE: 'cloud' });
    for (const variable of [
      'WHATSAPP_CLOUD_TOKEN',
      'WHATSAPP_CLOUD_PHONE_NUMBER_ID',
      'WHATSAPP_CLOUD_APP_SECRET',
      'WHATSAPP_CLOUD_VERIFY_TOKEN',
    ]) {
      expect(missing).toContain(`${variable}: expected`);
    }
    const bad = problems({ ...cloud, WHATSAPP_CLOUD_TOKEN: 'short secret!' });
    expect(bad).toContain('WHATSAPP_CLOUD_TOKEN: expected the permanent');
    expect(bad).not.toContain('short secret');
    expect(problems({ ...cloud, WHATSAPP_ENABLED: 'false' })).toContain('WHATSAPP_ENABLED: expected true or unset');
    expect(problems({ ...cloud, WHATSAPP_CLOUD_AFTERCARE_TEMPLATES: 'nl:oops' })).toContain('WHATSAPP_CLOUD_AFTERCARE_TEMPLATES');
    expect(
      loadConfig({ ...cloud, WHATSAPP_CLOUD_AFTERCARE_TEMPLATES: 'nl=tussenin_nazorg,en=tussenin_aftercare:en_US' })
        .WHATSAPP_CLOUD_AFTERCARE_TEMPLATES,
    ).toEqual({
      nl: { name: 'tussenin_nazorg', language: 'nl' },
      en: { name: 'tussenin_aftercare', language: 'en_US' },
    });
  });
});

describe('web chat file settings', () => {
  it('take photos and PDFs up to 10 MB by default, never more than the smallest upload quota', () => {
    expect(loadConfig({}).WEBCHAT_MAX_FILE_BYTES).toBe(10 * 1024 * 1024);
    expect(loadConfig({ WEBCHAT_MAX_FILE_BYTES: '2000000' }).WEBCHAT_MAX_FILE_BYTES).toBe(2_000_000);
    // A config that lowered the voice quotas keeps starting: the default follows the smallest.
    expect(loadConfig({ WEBCHAT_VOICE_BYTES_PER_VISITOR_HOUR: '4000000' }).WEBCHAT_MAX_FILE_BYTES).toBe(4_000_000);
  });

  it('name the variable and the fault of a wrong value', () => {
    expect(problems({ WEBCHAT_MAX_FILE_BYTES: '10MB' })).toContain(
      'WEBCHAT_MAX_FILE_BYTES: expected a number of bytes from 1 to 104857600 (100 MB) (got "10MB")',
    );
    expect(problems({ WEBCHAT_MAX_FILE_BYTES: '0' })).toContain('WEBCHAT_MAX_FILE_BYTES: expected a number of bytes');
    expect(problems({ WEBCHAT_MAX_FILE_BYTES: '104857601' })).toContain('WEBCHAT_MAX_FILE_BYTES: expected a number of bytes');
    // Set by hand larger than a quota it counts against: such a file could never be sent.
    expect(problems({ WEBCHAT_MAX_FILE_BYTES: '20971520' })).toContain(
      'WEBCHAT_MAX_FILE_BYTES: expected at most WEBCHAT_VOICE_BYTES_PER_VISITOR_HOUR (10485760 bytes)',
    );
    expect(problems({ WEBCHAT_MAX_FILE_BYTES: '20971520', WEBCHAT_VOICE_BYTES_PER_VISITOR_HOUR: '20971520' })).toBe('');
  });
});

describe('staff file settings', () => {
  it('take files from staff up to 10 MB by default, at most 50 MB (what Telegram takes from a bot)', () => {
    expect(loadConfig({}).STAFF_MAX_FILE_BYTES).toBe(10 * 1024 * 1024);
    expect(loadConfig({ STAFF_MAX_FILE_BYTES: '2000000' }).STAFF_MAX_FILE_BYTES).toBe(2_000_000);
    for (const wrong of ['0', '-5', '10MB', '52428801']) {
      expect(() => loadConfig({ STAFF_MAX_FILE_BYTES: wrong })).toThrow(
        'STAFF_MAX_FILE_BYTES: expected a number of bytes from 1 to 52428800 (50 MB)',
      );
    }
  });
});

describe('start-up stops with a clear message', () => {
  it('on a bad environment variable', () => {
    const { code, stderr } = start({ PORT: 'abc' });
    expect(code).toBe(1);
    expect(stderr).toContain('tussenin cannot start');
    expect(stderr).toContain('PORT: expected a port number');
    expect(stderr).not.toMatch(/at .*\.ts:\d+/); // a message, not a stack trace
  });

  it('on a wrong WEBCHAT_MAX_FILE_BYTES, naming it', () => {
    const { code, stderr } = start({ WEBCHAT_MAX_FILE_BYTES: 'ten megabytes' });
    expect(code).toBe(1);
    expect(stderr).toContain('tussenin cannot start');
    expect(stderr).toContain('WEBCHAT_MAX_FILE_BYTES: expected a number of bytes from 1 to 104857600 (100 MB)');
  });

  it('on a wrong STAFF_MAX_FILE_BYTES, naming it', () => {
    const { code, stderr } = start({ STAFF_MAX_FILE_BYTES: '100000000' });
    expect(code).toBe(1);
    expect(stderr).toContain('tussenin cannot start');
    expect(stderr).toContain('STAFF_MAX_FILE_BYTES: expected a number of bytes from 1 to 52428800 (50 MB) (got "100000000")');
  });

  it('on a broken flow file, naming the step and the fault', () => {
    const { code, stderr } = start({ FLOW_FILE: 'test/fixtures/broken-flow.json' });
    expect(code).toBe(1);
    expect(stderr).toContain('The flow is broken');
    expect(stderr).toContain('step "contact": option "phone" goes to "phoneCall", which is not a step');
  });
});
