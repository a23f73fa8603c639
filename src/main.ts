import { setTimeout as sleep } from 'node:timers/promises';
import { nodeVersionWarning, parseCommandLine } from './cli.js';
import { LIMITS, loadConfig } from './config.js';
import { StartupError } from './errors.js';
import { createLogger } from './observability/logger.js';
import { SIMULATOR_PREFIX } from './plugins/simulator.js';
import { startServer, type RunningServer } from './server.js';
import type { PlexSimulator } from './simulator/index.js';

/** A reason not to start: one line on stderr (the problem and its fix, never a stack trace), exit code 1. */
function cannotStart(line: string): never {
  process.stderr.write(`Cannot start: ${line}\n`);
  process.exit(1);
}

const commandLine = parseCommandLine(process.argv.slice(2));
if (!commandLine.ok) cannotStart(commandLine.problem);
const { mock } = commandLine;

const loaded = loadConfig(process.env, { mock });
if (!loaded.ok) {
  const s = loaded.problems.length === 1 ? '' : 's';
  cannotStart(`environment variable${s} to fix: ${loaded.problems.join('; ')}. docs/configuration.md lists every variable, its valid values and its default.`);
}
const { config } = loaded;
const logger = createLogger(config.logLevel);
const unsupportedNode = nodeVersionWarning(process.versions.node);
if (unsupportedNode !== undefined) logger.warn(unsupportedNode);
for (const warning of loaded.warnings) logger.warn(warning);
if (config.plex.clientIdentifierGenerated && !mock) {
  logger.warn(
    'PLEX_CLIENT_IDENTIFIER is not set: using a random one for this process. Set a stable one in production, or every restart shows up as a new device in the account.',
  );
}

// Mock mode: the simulator is served by this server, on its port, under /simulator.
let simulator: PlexSimulator | undefined;
if (mock) {
  const { createPlexSimulator } = await import('./simulator/index.js');
  simulator = createPlexSimulator();
}

let running: RunningServer;
try {
  running = await startServer({ config, logger, simulator });
} catch (error) {
  if (error instanceof StartupError) cannotStart(error.message);
  logger.fatal({ err: error }, 'could not start');
  cannotStart(`${error instanceof Error ? error.message : String(error)} (details in the log line above).`);
}

// The address to open in a browser: PUBLIC_URL behind a proxy, else this server's own.
const base = config.publicUrl ?? running.url;
if (simulator !== undefined) {
  const { DEMO_ACCOUNTS } = await import('./simulator/index.js');
  logger.warn(
    {
      simulator: `${base}${SIMULATOR_PREFIX}`,
      approvePage: `${base}${SIMULATOR_PREFIX}/approve`,
      demoAccounts: [
        `${DEMO_ACCOUNTS.plain.login} / ${DEMO_ACCOUNTS.plain.password}`,
        `${DEMO_ACCOUNTS.twoFactor.login} / ${DEMO_ACCOUNTS.twoFactor.password} (2FA code ${DEMO_ACCOUNTS.twoFactor.verificationCode})`,
        `${DEMO_ACCOUNTS.current.login} / ${DEMO_ACCOUNTS.current.password} (plex.tv's 2026 body shape)`,
      ],
    },
    `SIMULATOR MODE: plex.tv is simulated by this server at ${base}${SIMULATOR_PREFIX}; no real account is used`,
  );
}
logger.info(
  { url: `${base}/graphql`, demoPage: `${base}/`, plex: simulator === undefined ? config.plex.baseUrl : `${base}${SIMULATOR_PREFIX}` },
  `listening: demo page ${base}/, GraphQL ${base}/graphql`,
);

let stopping = false;
const drainCut = new AbortController();
async function stop(signal: string) {
  if (stopping) {
    // A second signal cuts the drain short.
    drainCut.abort();
    return;
  }
  stopping = true;
  const { shutdownDrainMs } = config;
  const { shutdownTimeoutMs } = LIMITS.http;
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
  await simulator?.close();
  logger.info('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
