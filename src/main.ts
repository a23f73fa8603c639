import { loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { StartupError } from './errors.js';
import { startServer, type RunningServer } from './server.js';

const mock = process.argv.includes('--mock');
const env = { ...process.env };

/** A reason not to start: one line on stderr (the problem and its fix, never a stack trace), exit code 1. */
function cannotStart(line: string): never {
  process.stderr.write(`Cannot start: ${line}\n`);
  process.exit(1);
}

const logger = createLogger(process.env['LOG_LEVEL'] && /^(fatal|error|warn|info|debug|trace|silent)$/.test(process.env['LOG_LEVEL']) ? process.env['LOG_LEVEL'] : 'info');

let stopSimulator: (() => Promise<void>) | undefined;
if (mock) {
  const { createPlexSimulator, DEMO_ACCOUNTS } = await import('./simulator/index.js');
  const simulator = createPlexSimulator();
  const url = await simulator.listen(0, '127.0.0.1');
  env['PLEX_API_URL'] = url;
  // PIN sign-ins are approved on the simulator's page instead of app.plex.tv.
  env['PLEX_AUTH_URL'] = `${url}/simulator/approve`;
  stopSimulator = () => simulator.close();
  logger.warn(
    {
      simulator: url,
      demoAccounts: [
        `${DEMO_ACCOUNTS.plain.login} / ${DEMO_ACCOUNTS.plain.password}`,
        `${DEMO_ACCOUNTS.twoFactor.login} / ${DEMO_ACCOUNTS.twoFactor.password} (2FA code ${DEMO_ACCOUNTS.twoFactor.verificationCode})`,
      ],
    },
    'SIMULATOR MODE: plex.tv is simulated in this process; no real account is used',
  );
}

const loaded = loadConfig(env);
if (!loaded.ok) {
  const s = loaded.problems.length === 1 ? '' : 's';
  cannotStart(
    `invalid environment variable${s}: ${loaded.problems.join('; ')}. Set ${s ? 'them' : 'it'} to a valid value or unset ${s ? 'them' : 'it'} (see Configuration in README.md).`,
  );
}
const { config } = loaded;
logger.level = config.logLevel;
if (config.plex.clientIdentifierGenerated && !mock) {
  logger.warn(
    'PLEX_CLIENT_IDENTIFIER is not set: using a random one for this process. Set a stable one in production, or every restart shows up as a new device in the account.',
  );
}

let running: RunningServer;
try {
  running = await startServer({ config, logger });
} catch (error) {
  if (error instanceof StartupError) cannotStart(error.message);
  logger.fatal({ err: error }, 'could not start');
  cannotStart(`${error instanceof Error ? error.message : String(error)} (details in the log line above).`);
}
logger.info({ url: `${running.url}/graphql`, plex: config.plex.baseUrl }, 'listening');

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  logger.info({ signal, drainMs: config.security.shutdownTimeoutMs }, 'shutting down: no new connections, finishing requests in flight');
  // running.close() bounds the drain itself; this is the last resort if closing the pool or Redis hangs.
  setTimeout(() => process.exit(1), config.security.shutdownTimeoutMs + 5_000).unref();
  await running.close();
  await stopSimulator?.();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
