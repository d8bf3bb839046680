import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/logging/logger.js';

/** The production logger, writing each JSON line into `lines` instead of stdout (to search the log in a test). */
export function capturingLogger(level: string, lines: string[]): Logger {
  return createLogger(
    level,
    false,
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  );
}
