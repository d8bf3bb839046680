/**
 * `npm run eval:understanding [-- --set <folder>] [--locale nl] [--misses]`: precision and recall of
 * reading residents' messages, per language and category. The suite (understanding.test.ts) holds the
 * same numbers to the targets.
 */
import { DANGER_CATEGORIES } from '../../src/engine/understanding/message-reader.js';
import { evaluate, loadCorpora, percent, type CorpusSet, type Score } from './evaluate.js';

const args = process.argv.slice(2);
const option = (name: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const set = (option('set') ?? 'corpus') as CorpusSet;
const onlyLocale = option('locale');
const showMisses = args.includes('--misses');

const cell = (s: Score) => `${percent(s).toFixed(1).padStart(5)}% ${`${s.hits}/${s.total}`.padStart(7)}`;

for (const corpus of loadCorpora(set)) {
  if (onlyLocale && corpus.locale !== onlyLocale) continue;
  const report = evaluate(corpus);
  // Precision of the alarm: of all alarms raised on this corpus, the share that were danger.
  const falseAlarms = report.falseAlarms.total - report.falseAlarms.hits;
  const precision = report.dangerAll.hits / Math.max(1, report.dangerAll.hits + falseAlarms);
  console.log(`\n${set} ${corpus.locale}`);
  console.log(`  danger recall       ${cell(report.dangerAll)}   precision ${(100 * precision).toFixed(1)}%`);
  for (const category of DANGER_CATEGORIES) console.log(`    ${category.padEnd(16)}  ${cell(report.danger[category]!)}`);
  console.log(`  no false alarm      ${cell(report.falseAlarms)}`);
  console.log(`  person request      ${cell(report.person)}`);
  console.log(`  that's all          ${cell(report.done)}`);
  if (showMisses) {
    const list = (title: string, items: string[]) =>
      items.length && console.log(`  ${title}:\n${items.map((t) => `    - ${t}`).join('\n')}`);
    for (const category of DANGER_CATEGORIES) list(`missed ${category}`, report.danger[category]!.misses);
    list('false alarms', report.falseAlarms.misses);
    list('missed person', report.person.misses);
    list("missed that's all", report.done.misses);
  }
}
