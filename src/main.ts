import { loadConfig } from './config.js';
import { createLogger } from './observability/logger.js';
import { startServer } from './server.js';

const mock = process.argv.includes('--mock');
const env = { ...process.env };

const logger = createLogger(process.env['LOG_LEVEL'] && /^(fatal|error|warn|info|debug|trace|silent)$/.test(process.env['LOG_LEVEL']) ? process.env['LOG_LEVEL'] : 'info');

let stopSimulator: (() => Promise<void>) | undefined;
if (mock) {
  const { createPlexSimulator, DEMO_ACCOUNTS } = await import('./simulator/index.js');
  const simulator = createPlexSimulator();
  const url = await simulator.listen(0, '127.0.0.1');
  env['PLEX_API_URL'] = url;
  // PIN sign-ins are approved on the simulator's page instead of app.plex.tv.
  env['PLEX_AUTH_URL'] = `${url}/simulator/approve`;
  // PLEX_AUTH_MODE=jwt works offline out of the box: a sealing key for this process (refresh tokens die with it).
  if (env['PLEX_AUTH_MODE'] === 'jwt' && !env['AUTH_SEALING_KEY']) {
    const { generateSealingKey } = await import('./plex/device-auth.js');
    env['AUTH_SEALING_KEY'] = generateSealingKey();
  }
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
  logger.fatal({ problems: loaded.problems }, 'invalid configuration');
  process.stderr.write(`Invalid configuration:\n${loaded.problems.map((problem) => `  - ${problem}`).join('\n')}\n`);
  process.exit(1);
}
const { config } = loaded;
logger.level = config.logLevel;
if (config.plex.clientIdentifierGenerated && !mock) {
  logger.warn(
    'PLEX_CLIENT_IDENTIFIER is not set: using a random one for this process. Set a stable one in production, or every restart shows up as a new device in the account.',
  );
}

const running = await startServer({ config, logger });
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
