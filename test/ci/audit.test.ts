import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectPath } from '../../src/project-path.js';

/** .ci/audit.mjs reads `npm audit --json`: it fails on high/critical, and only warns when there is no report. */

const dir = mkdtempSync(path.join(tmpdir(), 'tussenin-audit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function audit(report: unknown): { status: number | null; out: string } {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, typeof report === 'string' ? report : JSON.stringify(report));
  const run = spawnSync(process.execPath, [projectPath('.ci', 'audit.mjs'), '--input', file], { encoding: 'utf8' });
  return { status: run.status, out: run.stdout + run.stderr };
}

const counts = (over: Record<string, number> = {}) => ({
  info: 0,
  low: 0,
  moderate: 0,
  high: 0,
  critical: 0,
  total: 0,
  ...over,
});

describe('the CI dependency audit', () => {
  it('fails on a high or critical vulnerability, naming it and its advisory', () => {
    const { status, out } = audit({
      auditReportVersion: 2,
      vulnerabilities: {
        'some-parser': {
          name: 'some-parser',
          severity: 'high',
          via: [{ title: 'Prototype pollution in some-parser', url: 'https://github.com/advisories/GHSA-xxxx' }],
          range: '<2.0.1',
          fixAvailable: true,
        },
        'uses-parser': { name: 'uses-parser', severity: 'high', via: ['some-parser'], range: '*', fixAvailable: false },
        'slow-regex': { name: 'slow-regex', severity: 'moderate', via: [], range: '*', fixAvailable: true },
      },
      metadata: { vulnerabilities: counts({ moderate: 1, high: 2, total: 3 }) },
    });
    expect(status).toBe(1);
    expect(out).toContain(
      'HIGH some-parser <2.0.1 — Prototype pollution in some-parser (https://github.com/advisories/GHSA-xxxx)',
    );
    expect(out).toContain('HIGH uses-parser * — through some-parser [no fix yet]');
    expect(out).not.toContain('slow-regex');
  });

  it('passes a report without high or critical ones', () => {
    const { status, out } = audit({
      auditReportVersion: 2,
      vulnerabilities: { 'slow-regex': { name: 'slow-regex', severity: 'moderate', via: [], fixAvailable: true } },
      metadata: { vulnerabilities: counts({ moderate: 1, total: 1 }) },
    });
    expect(status).toBe(0);
    expect(out).toContain('no high or critical vulnerabilities (0 critical, 0 high, 1 moderate, 0 low, 0 info)');
  });

  it.each([
    [
      'the registry refuses the audit endpoint (405)',
      {
        message: '405 Method Not Allowed - POST https://registry.npmjs.org/-/npm/v1/security/advisories/bulk',
        statusCode: 405,
        error: { summary: '', detail: '' },
      },
    ],
    ['the network is down', { error: { code: 'ENOTFOUND', summary: 'request to https://registry.npmjs.org failed' } }],
    ['npm printed no JSON at all', 'npm ERR! something else'],
  ])('only warns, loudly, when %s', (_, answer) => {
    const { status, out } = audit(answer);
    expect(status).toBe(0);
    expect(out).toContain('WARNING: the dependency audit (production dependencies) did NOT run');
    expect(out).toContain('This is not a clean audit.');
  });
});
