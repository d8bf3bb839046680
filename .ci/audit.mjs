#!/usr/bin/env node
// CI's dependency audit: `npm audit --omit=dev --json`, read by its JSON rather than its exit code,
// because npm exits non-zero both for vulnerabilities and for an audit endpoint it could not reach.
//
//   - a report with high or critical vulnerabilities in the production dependencies → exit 1, listed;
//   - a report without them → exit 0, with the counts;
//   - no report at all (the registry's audit endpoint answered an error such as 405, or the network
//     failed) → exit 0 with a loud WARNING: the audit did not run, which is not the same as clean.
//
// Production dependencies only (--omit=dev): they are what the Docker image ships and what handles the
// residents' messages; dev tools (vitest, drizzle-kit, tsx, prettier, playwright-core) run only on
// developers' and CI machines against our own code. The whole tree is audited as well, for information.
//
// Usage: node .ci/audit.mjs                      run npm audit here
//        node .ci/audit.mjs --input report.json  read a saved `npm audit --json` (tests)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const FAILING = ['high', 'critical'];

function runAudit(extraArgs) {
  try {
    return execFileSync('npm', ['audit', '--json', ...extraArgs], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    // Non-zero exit: vulnerabilities found, or no report. The JSON on stdout tells which.
    return typeof error.stdout === 'string' ? error.stdout : '';
  }
}

/** { kind: 'report', counts, findings } or { kind: 'unavailable', reason }. */
function readReport(text) {
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'unavailable', reason: `npm audit printed no JSON (${text.trim().slice(0, 200) || 'nothing'})` };
  }
  const counts = json?.metadata?.vulnerabilities;
  if (!counts || typeof counts !== 'object') {
    const reason = json?.message ?? json?.error?.summary ?? json?.error?.code ?? 'no report in the answer';
    return { kind: 'unavailable', reason: String(reason) };
  }
  const findings = Object.entries(json.vulnerabilities ?? {})
    .filter(([, v]) => FAILING.includes(v.severity))
    .map(([name, v]) => {
      const advisories = (v.via ?? []).filter((via) => typeof via === 'object').map((via) => `${via.title} (${via.url})`);
      const through = (v.via ?? []).filter((via) => typeof via === 'string');
      const fix =
        v.fixAvailable === true
          ? 'fix: npm audit fix'
          : v.fixAvailable
            ? `fix: ${v.fixAvailable.name}@${v.fixAvailable.version}`
            : 'no fix yet';
      return `  ${v.severity.toUpperCase()} ${name} ${v.range ?? ''} — ${advisories.join('; ') || `through ${through.join(', ')}`} [${fix}]`;
    });
  return { kind: 'report', counts, findings };
}

function summary(counts) {
  return ['critical', 'high', 'moderate', 'low', 'info'].map((s) => `${counts[s] ?? 0} ${s}`).join(', ');
}

function warnUnavailable(what, reason) {
  const line = '!'.repeat(78);
  console.log(`${line}\nWARNING: the dependency audit (${what}) did NOT run: the npm audit endpoint could not be reached.`);
  console.log(`         ${reason}`);
  console.log(
    `         This is not a clean audit. Run \`npm audit --omit=dev --audit-level=high\` where the registry answers.\n${line}`,
  );
}

const inputAt = process.argv.indexOf('--input');
const production = readReport(inputAt > 0 ? readFileSync(process.argv[inputAt + 1], 'utf8') : runAudit(['--omit=dev']));

if (production.kind === 'unavailable') {
  warnUnavailable('production dependencies', production.reason);
  process.exit(0);
}
if (production.findings.length > 0) {
  console.log(`npm audit: high or critical vulnerabilities in the production dependencies (${summary(production.counts)}):`);
  console.log(production.findings.join('\n'));
  process.exit(1);
}
console.log(`npm audit (production dependencies): no high or critical vulnerabilities (${summary(production.counts)})`);
if (inputAt < 0) {
  const all = readReport(runAudit([]));
  if (all.kind === 'report') console.log(`npm audit (with dev dependencies, for information): ${summary(all.counts)}`);
}
