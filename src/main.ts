import { setTimeout as sleep } from 'node:timers/promises';
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
const drainCut = new AbortController();
async function stop(signal: string) {
  if (stopping) {
    // A second signal cuts the drain short.
    drainCut.abort();
    return;
  }
  stopping = true;
  const { shutdownDrainMs, shutdownTimeoutMs } = config.security;
  // SIGTERM (an orchestrator, a rolling restart): drain first. SIGINT (Ctrl-C at a terminal): stop at once.
  const drainMs = signal === 'SIGTERM' ? shutdownDrainMs : 0;
  // running.close() bounds the drain itself; this is the last resort if closing the pool or Redis hangs.
  setTimeout(() => process.exit(1), drainMs + shutdownTimeoutMs + 5_000).unref();
  if (drainMs > 0) {
    running.drain();
    logger.info({ signal, drainMs }, 'draining: /health answers 503 and connections close after their response; still serving everything until the drain ends');
    await sleep(drainMs, undefined, { signal: drainCut.signal }).catch(() => {});
  }
  logger.info({ signal, shutdownTimeoutMs }, 'shutting down: no new connections, finishing requests in flight');
  await running.close();
  await stopSimulator?.();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
