#!/usr/bin/env node
// Starts the third-party Bot API emulator `telegram-test-api` (npm, version pinned in
// package.json) for tgkeep's cross-check tests, the way tests/e2e/harness.py starts our own
// emulator: it listens on 127.0.0.1, prints exactly one line `listening 127.0.0.1:PORT` on stdout
// once connections are accepted, and exits 0 on SIGTERM/SIGINT.
//
//   node server.js [--port 0] [--host 127.0.0.1] [--store-timeout 86400] [--offsets]
//
// The emulator is used as published, with one opt-in exception: `--offsets` puts a small route
// ahead of its /bot<token>/getUpdates that honours `offset` and `limit` the way
// Telegram does (telegram-test-api ignores every getUpdates parameter and forgets an update
// the moment it has handed it out once). Everything else — the Message objects, sendMessage,
// getMe, the client API (/sendMessage, /sendCommand, /sendCallback, /getUpdatesHistory) — is the
// package's own
// code. See docs/thirdparty-emulator.md.
'use strict';

const TelegramServer = require('telegram-test-api');
// The express copy telegram-test-api itself runs on (a dependency of the package, not ours).
const express = require(
  require.resolve('express', { paths: [require.resolve('telegram-test-api')] }));

function parseArgs(argv) {
  const options = { port: 0, host: '127.0.0.1', storeTimeout: 86400, offsets: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--port') options.port = Number(value());
    else if (arg === '--host') options.host = value();
    else if (arg === '--store-timeout') options.storeTimeout = Number(value());
    else if (arg === '--offsets') options.offsets = true;
    else throw new Error(`unknown argument ${arg}`);
  }
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new Error('--port must be 0..65535');
  }
  // setInterval() overflows above 2^31-1 ms (~24.8 days) and then fires every millisecond.
  if (!(options.storeTimeout > 0 && options.storeTimeout * 1000 < 2 ** 31)) {
    throw new Error('--store-timeout must be 1..2147483 seconds');
  }
  return options;
}

// Telegram's getUpdates offset/limit semantics over telegram-test-api's storage: an update stays
// deliverable until a later call confirms it with offset > update_id. `isRead` keeps the
// package's meaning "handed to the bot at least once". No long poll (`timeout` is ignored, as
// by the package): an empty answer comes at once.
function offsetFront(server) {
  const confirmed = new Map(); // token -> lowest update_id not yet confirmed
  const front = express();
  front.use(express.json());
  front.use(express.urlencoded({ extended: true }));
  front.all('/bot:token/getUpdates', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'POST') return next();
    const token = req.params.token;
    const params = { ...req.query, ...(req.body || {}) };
    const offset = Number(params.offset || 0);
    let limit = Number(params.limit || 100);
    if (!Number.isFinite(limit) || limit < 1 || limit > 100) limit = 100;
    const from = Math.max(confirmed.get(token) || 0, Number.isFinite(offset) ? offset : 0);
    confirmed.set(token, from);
    // Confirmed updates are never delivered again, as on Telegram; they stay in the storage so
    // that /getUpdatesHistory still lists them (until --store-timeout).
    const batch = server.storage.userMessages
      .filter((u) => u.botToken === token && u.updateId >= from)
      .sort((a, b) => a.updateId - b.updateId)
      .slice(0, limit);
    const result = batch.map((u) => {
      u.isRead = true;
      return TelegramServer.formatUpdate(u);
    });
    res.json({ ok: true, result });
  });
  front.use(server.webServer);
  return front;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  // normalizeConfig() turns port 0 into 9000 (`port || 9000`): construct with a placeholder and
  // set the real port (0 = any free one) before start(), which only reads config.port.
  const server = new TelegramServer({
    host: options.host, port: 1, storeTimeout: options.storeTimeout,
  });
  server.config.port = options.port;
  if (options.offsets) server.webServer = offsetFront(server);
  await server.start();
  const { address, port } = server.server.address();
  server.config.apiURL = `http://${address}:${port}`;

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    // http-shutdown closes idle keep-alive connections and waits for requests in flight.
    setTimeout(() => process.exit(0), 3000).unref();
    try {
      await server.stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write(`listening ${address}:${port}\n`);
}

main().catch((error) => {
  process.stderr.write(`telegram-test-api launcher: ${error.message}\n`);
  process.exit(2);
});
