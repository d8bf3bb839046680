import { ConfigError, loadConfig } from '../config/config.js';
import { createFieldCipher, newEncryptionKey } from '../crypto/field-cipher.js';
import { openDatabase, withCipher } from '../db/database.js';
import { CliError, runCommand, USAGE } from './commands.js';

/**
 * The CLI: `npm run cli -- staff add …`, `audit verify` (see USAGE). Uses the same configuration as the server
 * (DATABASE_URL, or the embedded database in DATA_DIR: stop the server first, PGlite is one process's).
 */
async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') {
    process.stdout.write(USAGE);
    return argv.length === 0 ? 1 : 0;
  }
  // Before the configuration: in production it cannot load without the key this makes.
  if (argv[0] === 'crypto' && argv[1] === 'new-key') {
    const id = argv[2] === '--id' && argv[3] ? argv[3] : new Date().toISOString().slice(0, 7);
    process.stdout.write(newEncryptionKey(id) + '\n');
    return 0;
  }
  const config = loadConfig();
  const database = withCipher(
    await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 1 }),
    createFieldCipher(config.ENCRYPTION_KEYS ?? []),
  );
  try {
    return (await runCommand(argv, database, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })) ?? 0;
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof CliError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  },
);
