import { serve } from '@hono/node-server';
import { createApp, type App } from './app.js';
import { ConfigError, loadConfig, whatsappMode, type Config } from './config/config.js';
import { FlowError } from './engine/validate-flow.js';
import { createLogger } from './logging/logger.js';
import { applyHeapGrowth, heapGrowthPercent } from './lifecycle/heap-growth.js';

/** Start-up faults a person must fix: print them plainly and stop, no stack trace. */
function fail(message: string): never {
  process.stderr.write(`tussenin cannot start.\n${message}\n`);
  process.exit(1);
}

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) fail(error.message);
  throw error;
}

applyHeapGrowth(heapGrowthPercent(config));

const logger = createLogger(config.LOG_LEVEL, config.NODE_ENV === 'development' && process.stdout.isTTY);

let app: App;
try {
  app = await createApp({ config, logger });
} catch (error) {
  if (error instanceof FlowError) fail(`The flow is broken: ${error.message}`);
  throw error;
}

if (whatsappMode(config) === 'web') {
  // Baileys runs many promises of its own on the socket; one that rejects unobserved after a socket
  // error must not take the whole process (and every channel) down with it. Logged, not swallowed.
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason }, 'unhandled promise rejection (kept running)');
  });
}

await app.start();
const listener = serve({ fetch: app.server.fetch, port: config.PORT, hostname: config.HOST }, (info) => {
  logger.info(
    { port: info.port, database: app.database.kind, flow: `${app.engine.flow.id}@${app.engine.flow.version}` },
    'tussenin is listening',
  );
});

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  listener.close();
  await app.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
