import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../src/project-path.js';

/**
 * Ports point inward (src/ARCHITECTURE.md): the core folders hold the contracts the edge implements
 * (InboundMessage in conversation/, ChannelAdapter in outbox/), so none of them imports a channel, the
 * inbox, the web server or the CLI. A new import across that line fails here, naming the file.
 */
const CORE = ['conversation', 'outbox', 'engine', 'db', 'media', 'retry', 'limits', 'i18n', 'text'];
const EDGE = ['channels', 'inbox', 'server', 'cli'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
}

describe('import boundaries', () => {
  const src = projectPath('src');
  it.each(CORE)('nothing under src/%s imports from channels, inbox, server or cli', (folder) => {
    const offenders: string[] = [];
    for (const file of sourceFiles(join(src, folder))) {
      for (const specifier of importsOf(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = relative(src, join(file, '..', specifier));
        if (EDGE.some((edge) => target === edge || target.startsWith(`${edge}/`))) {
          offenders.push(`${relative(src, file)} → ${target}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('finds an import across the line when there is one (the check itself works)', () => {
    const file = join(src, 'conversation', 'x.ts');
    expect(relative(src, join(file, '..', '../channels/telegram/telegram-adapter.js'))).toBe(
      'channels/telegram/telegram-adapter.js',
    );
  });
});
