import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { heapGrowthPercent, PGLITE_HEAP_GROWTH_PERCENT } from '../../src/lifecycle/heap-growth.js';
import { projectPath } from '../../src/project-path.js';

describe("the JavaScript heap's growth (HEAP_GROWTH_PERCENT)", () => {
  it('is kept tight on the embedded database and left to V8 on Postgres, unless set', () => {
    expect(heapGrowthPercent(loadConfig({}))).toBe(PGLITE_HEAP_GROWTH_PERCENT);
    expect(heapGrowthPercent(loadConfig({ DATABASE_URL: 'postgres://db/tussenin' }))).toBe(0);
    expect(heapGrowthPercent(loadConfig({ HEAP_GROWTH_PERCENT: '60' }))).toBe(60);
    expect(heapGrowthPercent(loadConfig({ HEAP_GROWTH_PERCENT: '0' }))).toBe(0);
    expect(heapGrowthPercent(loadConfig({ HEAP_GROWTH_PERCENT: '40', DATABASE_URL: 'postgres://db/tussenin' }))).toBe(40);
  });

  it.each(['-5', '301', '2.5', 'tight'])('refuses %j, naming the variable', (value) => {
    expect(() => loadConfig({ HEAP_GROWTH_PERCENT: value })).toThrow(
      /HEAP_GROWTH_PERCENT: expected a whole number of percent from 0 to 300/,
    );
  });

  it("takes effect in a running process on this Node: the heap's peak stays closer to what is live", () => {
    // A fresh process keeps ~60 MB live and makes garbage that survives a young collection; it prints the
    // largest heap it reached. Memory, not time: the figure does not depend on this machine's speed.
    const peakHeapMb = (percent: number) => {
      const script = `
        import { applyHeapGrowth } from './src/lifecycle/heap-growth.ts';
        applyHeapGrowth(${percent});
        const live = []; for (let i = 0; i < 300_000; i++) live.push({ i, pair: [i, i + 1], key: 'k' + i });
        const ring = new Array(150_000); let peak = 0;
        for (let n = 0; n < 6_000_000; n++) {
          ring[n % ring.length] = { s: 'y' + n, list: [n, n, n, n] };
          if (n % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
        }
        console.log(Math.round(peak / 1e6), live.length);`;
      const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: projectPath(),
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.stderr).toBe('');
      return Number(result.stdout.trim().split(' ')[0]);
    };
    const v8Own = peakHeapMb(0);
    const tight = peakHeapMb(PGLITE_HEAP_GROWTH_PERCENT);
    expect(tight).toBeGreaterThan(0);
    expect(tight).toBeLessThan(v8Own * 0.8);
  });
});
