import type { Readable, Writable } from 'node:stream';

/**
 * A password from the terminal without echo, or the first line of stdin when it is piped
 * (`printf '%s\n' "$PW" | npm run cli -- staff add …`).
 */
export async function readPassword(
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => void },
  output: Writable,
  prompt: string,
): Promise<string> {
  if (!input.isTTY || !input.setRawMode) {
    let data = '';
    for await (const chunk of input) {
      data += chunk.toString();
      if (data.includes('\n')) break;
    }
    return data.split(/\r?\n/)[0] ?? '';
  }
  output.write(prompt);
  input.setRawMode(true);
  input.resume();
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return fail(new Error('cancelled'));
        if (ch === '\u007f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else value += ch;
      }
    };
    const cleanUp = () => {
      input.off('data', onData);
      input.setRawMode!(false);
      input.pause();
      output.write('\n');
    };
    const done = () => {
      cleanUp();
      resolve(value);
    };
    const fail = (error: Error) => {
      cleanUp();
      reject(error);
    };
    input.on('data', onData);
  });
}
