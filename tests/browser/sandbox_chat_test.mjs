// Browser test of the sandbox chat page: a real chromium chats with the real bot.
//
// Starts the sandbox (the Bot API emulator with its web page) and `tgkeep run` against it, opens
// the page in Debian's chromium through playwright-core, and acts as Telegram users would:
// creates a user, sends /start, sees the greeting, sends Russian text with emoji and sees the
// echo, presses inline buttons, watches edits and deletions arrive live, chats in a group as two
// users, and saves a screenshot. Everything it starts is stopped by PID (SIGTERM, then SIGKILL)
// and its temporary directory is removed.
//
// Environment:
//   SANDBOX_CMD      the sandbox command, split on spaces (e.g. "build/src/app/tgkeep sandbox");
//                    `--port 0` is appended and the first stdout line must be
//                    "listening 127.0.0.1:PORT"
//   TGKEEP_BIN       the tgkeep binary (`$TGKEEP_BIN run` is the bot)
//   CHROMIUM         the browser (default /usr/bin/chromium)
//   SCREENSHOT_PATH  where to save the PNG (default tests/browser/artifacts/sandbox-chat.png)
//   KEEP_TMP=1       keep the temporary directory (logs, data) for debugging
//
// Prints one line per check and, last, "N passed, N failed"; exits 0 when nothing failed.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TOKEN = "123456:AAH-browser-test-token-0123456789abcdef";
const WAIT_MS = 15000;
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const SCREENSHOT = process.env.SCREENSHOT_PATH ||
  path.join(HERE, "artifacts", "sandbox-chat.png");
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "tgkeep-browser-"));
const children = [];
let context = null;  // the browser, closed before the processes are stopped
let passed = 0;
let failed = 0;
let interrupted = false;  // SIGINT/SIGTERM: no more checks, clean up and leave
const notes = [];

function sandboxCommand() {
  const line = (process.env.SANDBOX_CMD || "").trim();
  if (!line) throw new Error("set SANDBOX_CMD to the sandbox command (e.g. build/src/app/tgkeep sandbox)");
  return line.split(/\s+/);
}

// A child process whose stderr (and, after the first line, stdout) goes to a log file.
function start(name, argv, env) {
  const log = fs.openSync(path.join(tmp, `${name}.log`), "a");
  const child = spawn(argv[0], [...argv.slice(1)], {
    env, stdio: ["ignore", "pipe", log], detached: false,
  });
  child.name = name;
  child.exited = new Promise((resolve) => child.once("exit", (code, signal) => {
    child.exitInfo = signal ? `signal ${signal}` : `exit ${code}`;
    resolve();
  }));
  child.once("error", (err) => { child.spawnError = err; });
  children.push(child);
  return child;
}

async function stop(child) {
  if (child.exitInfo !== undefined || child.pid === undefined) return;
  process.kill(child.pid, "SIGTERM");
  const timedOut = await Promise.race([
    child.exited.then(() => false), new Promise((r) => setTimeout(() => r(true), 5000)),
  ]);
  if (timedOut && child.exitInfo === undefined) {
    process.kill(child.pid, "SIGKILL");
    await child.exited;
  }
}

async function firstLine(child, ms) {
  const lines = readline.createInterface({ input: child.stdout });
  const rest = fs.createWriteStream(path.join(tmp, `${child.name}.stdout.log`));
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output from ${child.name} in ${ms} ms`)), ms);
    let first = true;
    lines.on("line", (line) => {
      if (!first) {
        rest.write(line + "\n");
        return;
      }
      first = false;
      clearTimeout(timer);
      resolve(line);
    });
    child.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${child.name} ended (${child.exitInfo}) ${child.spawnError || ""}`));
    });
  });
}

function tail(file, lines = 25) {
  try {
    return fs.readFileSync(path.join(tmp, file), "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

async function check(name, fn) {
  if (interrupted) return false;
  try {
    await fn();
    passed += 1;
    console.log(`ok   ${name}`);
    return true;
  } catch (err) {
    if (interrupted) return false;
    failed += 1;
    console.log(`FAIL ${name}\n     ${String(err && err.stack || err).split("\n").slice(0, 6).join("\n     ")}`);
    return false;
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// An error that ends an until() at once: waiting longer cannot help.
function fatal(message) {
  return Object.assign(new Error(message), { fatal: true });
}

async function until(what, probe, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    try {
      last = await probe();
      if (last) return last;
    } catch (err) {
      if (err.fatal) throw err;
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

async function main() {
  let base = "";
  let page = null;
  const pageErrors = [];
  const botApi = async (method, body) => {
    const response = await fetch(`${base}/bot${TOKEN}/${method}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const json = await response.json();
    if (!json.ok) throw new Error(`${method}: ${json.description}`);
    return json.result;
  };
  const admin = async (endpoint) => (await (await fetch(`${base}/_admin/${endpoint}`)).json()).result;
  const bot = (text) => page.locator('[data-testid=message][data-from=bot]', { hasText: text });
  // The first bot message with an id above `afterId`, once it is on the page.
  const botIds = () => page.locator("[data-testid=message][data-from=bot]")
    .evaluateAll((nodes) => nodes.map((n) => Number(n.dataset.messageId)));
  const nextBotMessage = async (afterId) => {
    const id = await until("a new bot message", async () =>
      (await botIds()).find((each) => each > afterId));
    return page.locator(`[data-testid=message][data-message-id="${id}"]`);
  };
  const lastBotId = async () => Math.max(0, ...await botIds());
  const sendText = async (text) => {
    const input = page.getByTestId("composer-input");
    await input.fill(text);
    await input.press("Enter");
  };

  const started = await check("the sandbox starts and prints its port", async () => {
    const argv = [...sandboxCommand(), "--port", "0"];
    console.log(`     sandbox: ${argv.join(" ")}`);
    const sandbox = start("sandbox", argv, process.env);
    const line = await firstLine(sandbox, 10000);
    const match = /^listening (127\.0\.0\.1:\d+)$/.exec(line);
    assert(match, `unexpected first line: ${line}`);
    base = `http://${match[1]}`;
  });
  if (!started) return;

  const skipRest = () => console.log("     (the remaining checks need this one: skipped)");
  const connected = await check("the bot connects and long-polls", async () => {
    const env = Object.fromEntries(Object.entries(process.env)
      .filter(([k]) => !k.startsWith("TGKEEP_") && !k.startsWith("TELEGRAM_")));
    Object.assign(env, {
      TELEGRAM_API_URL: base, TELEGRAM_BOT_TOKEN: TOKEN, TGKEEP_DATA_DIR: path.join(tmp, "data"),
      TGKEEP_RATE_LIMITS: "off", TGKEEP_POLL_TIMEOUT: "1",
    });
    assert(process.env.TGKEEP_BIN, "set TGKEEP_BIN to the tgkeep binary");
    const botProcess = start("bot", [process.env.TGKEEP_BIN, "run"], env);
    botProcess.stdout.pipe(fs.createWriteStream(path.join(tmp, "bot.stdout.log")));
    await until("getUpdates from the bot", async () => {
      if (botProcess.exitInfo !== undefined) throw fatal(`the bot ended (${botProcess.exitInfo})`);
      const stats = await admin("stats");
      return stats.bot_id === 123456 && stats.get_updates_calls > 0;
    });
  });
  if (!connected) return skipRest();

  const loaded = await check("the page loads and names the bot it talks to", async () => {
    context = await chromium.launchPersistentContext(path.join(tmp, "chromium-profile"), {
      executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS,
      handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false,  // cleanup() closes it
      viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1,
    });
    page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on("pageerror", (err) => pageErrors.push(String(err)));
    page.on("console", (msg) => { if (msg.type() === "error") pageErrors.push(msg.text()); });
    await page.goto(`${base}/`);
    await page.locator("body[data-ready=true]").waitFor();
    await page.getByTestId("bot-name").filter({ hasText: "Sandbox Bot" }).waitFor();
    const token = await page.getByTestId("bot-token").textContent();
    assert(token.startsWith("123456:") && !token.includes("0123456789abcdef"),
           `token shown masked, got ${token}`);
    await page.getByTestId("bot-status").filter({ hasText: "bot online" }).waitFor();
  });
  if (!loaded) return skipRest();

  await check("a user is created: Маша, language ru", async () => {
    await page.getByTestId("welcome-create-user").click();
    await page.getByTestId("user-first-name").fill("Маша");
    await page.getByTestId("user-username").fill("masha_test");
    await page.getByTestId("user-language").fill("ru");
    await page.getByTestId("user-create").click();
    await page.getByTestId("user-dialog").waitFor({ state: "hidden" });
    const selected = await page.getByTestId("user-select").evaluate((s) => s.selectedOptions[0].text);
    assert(selected.includes("Маша") && selected.includes("ru"), `selected user: ${selected}`);
    await page.getByTestId("composer-input").waitFor();
    await page.locator("[data-testid=chat-item][data-chat-type=private][aria-selected=true]").waitFor();
  });

  let greeting = null;
  await check("/start: the bot's greeting appears", async () => {
    await sendText("/start");
    await page.locator("[data-testid=message].out", { hasText: "/start" }).waitFor();
    greeting = bot("Здравствуйте, Маша").first();
    await greeting.waitFor();
  });

  await check("Russian text with emoji goes out and its echo comes back", async () => {
    const text = "Привет, бот! Как дела? 😀👍 Ёлка";
    await sendText(text);
    await page.locator("[data-testid=message].out [data-testid=message-text]", { hasText: text }).waitFor();
    const echo = page.locator("[data-testid=message][data-from=bot] [data-testid=message-text]",
                              { hasText: text });
    await echo.first().waitFor();
    assert((await echo.first().textContent()).includes(text), "echo text differs");
  });

  await check("pressing an inline button has its effect", async () => {
    const help = greeting ? greeting.locator("[data-testid=inline-button][data-callback-data=help]") : null;
    if (help && await help.count() > 0) {
      const before = await lastBotId();
      await help.click();
      const answer = await nextBotMessage(before);
      await answer.filter({ hasText: "/history" }).waitFor();  // the help text lists commands
      return;
    }
    notes.push("this tgkeep build answers /start without inline buttons: the button check " +
               "pressed a button the test sent itself (as the bot) instead of 'help'");
    const chatId = Number(await page.locator("[data-testid=chat-item][aria-selected=true]")
      .getAttribute("data-chat-id"));
    await botApi("sendMessage", {
      chat_id: chatId, text: "Выберите действие 👇",
      reply_markup: { inline_keyboard: [[{ text: "Нажми меня", callback_data: "browser-test" }]] },
    });
    const button = page.locator("[data-testid=inline-button][data-callback-data=browser-test]");
    await button.waitFor();
    const before = await admin("stats");
    await button.click();
    await until("the bot to receive the callback_query", async () =>
      (await admin("stats")).confirmed_offset > before.next_update_id);
  });

  await check("edits and deletions by the bot show up live", async () => {
    const chatId = Number(await page.locator("[data-testid=chat-item][aria-selected=true]")
      .getAttribute("data-chat-id"));
    const first = await botApi("sendMessage", { chat_id: chatId, text: "Черновик сообщения" });
    const second = await botApi("sendMessage", { chat_id: chatId, text: "Это сообщение исчезнет" });
    const edited = page.locator(`[data-testid=message][data-message-id="${first.message_id}"]`);
    await edited.filter({ hasText: "Черновик" }).waitFor();
    await botApi("editMessageText", {
      chat_id: chatId, message_id: first.message_id, text: "<b>Исправлено</b> ✏️", parse_mode: "HTML",
    });
    await edited.filter({ hasText: "Исправлено" }).locator("[data-testid=message-edited]").waitFor();
    assert(await edited.locator("strong", { hasText: "Исправлено" }).count() === 1, "bold not shown");
    await botApi("deleteMessage", { chat_id: chatId, message_id: second.message_id });
    await page.locator(`[data-message-id="${second.message_id}"][data-deleted=true]`).waitFor();
  });

  await check("/reset asks with buttons and pressing one edits the question", async () => {
    const before = await lastBotId();
    await sendText("/reset");
    const question = await nextBotMessage(before);
    const no = question.locator("[data-testid=inline-button][data-callback-data='reset:no']");
    if (await no.count() === 0) {
      notes.push("this tgkeep build asks /reset without inline buttons: the reset:no press was " +
                 "not checked");
      return;
    }
    await no.click();
    await question.locator("[data-testid=message-edited]").waitFor();
  });

  await check("a group: two users post as themselves", async () => {
    await page.getByTestId("new-user-button").click();
    await page.getByTestId("user-first-name").fill("Pete");
    await page.getByTestId("user-language").fill("en");
    await page.getByTestId("user-create").click();
    await page.getByTestId("user-dialog").waitFor({ state: "hidden" });
    await page.getByTestId("new-group-button").click();
    await page.getByTestId("group-title").fill("Тестовая группа 🎉");
    for (const box of await page.getByTestId("group-member").all()) await box.check();
    await page.getByTestId("group-create").click();
    await page.getByTestId("group-dialog").waitFor({ state: "hidden" });
    await page.getByTestId("chat-title").filter({ hasText: "Тестовая группа" }).waitFor();
    await sendText("Hello from Pete");
    await page.locator("[data-testid=message].out", { hasText: "Hello from Pete" }).waitFor();
    const masha = await page.getByTestId("user-select").evaluate((select) =>
      [...select.options].find((o) => o.text.startsWith("Маша")).value);
    await page.getByTestId("user-select").selectOption(masha);
    await page.getByTestId("chat-title").filter({ hasText: "Тестовая группа" }).waitFor();
    await page.locator("[data-testid=message].in", { hasText: "Hello from Pete" })
      .locator(".sender", { hasText: "Pete" }).waitFor();
    await sendText("Привет от Маши");
    await page.locator("[data-testid=message].out", { hasText: "Привет от Маши" }).waitFor();
    const subtitle = await page.getByTestId("chat-subtitle").textContent();
    assert(subtitle.includes("Pete") && subtitle.includes("Маша"), `members: ${subtitle}`);
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT.replace(/(\.png)?$/, "-group.png") });
  });

  await check("a screenshot of the private chat is saved", async () => {
    await page.locator("[data-testid=chat-item][data-chat-type=private]").click();
    await bot("Здравствуйте, Маша").first().waitFor();
    await page.waitForTimeout(300);  // let the last scroll and the button pulse settle
    fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    assert(fs.statSync(SCREENSHOT).size > 10000, "screenshot too small");
    console.log(`     screenshot: ${SCREENSHOT}`);
  });

  await check("no JavaScript errors on the page", async () => {
    assert(pageErrors.length === 0, pageErrors.join("\n"));
  });

  if (failed > 0 && page) {
    const shot = path.join(path.dirname(SCREENSHOT), "failure.png");
    await page.screenshot({ path: shot }).then(() => console.log(`failure screenshot: ${shot}`),
                                               () => {});
  }
}

let cleaning = null;
function cleanup() {
  cleaning = cleaning || cleanupOnce();
  return cleaning;
}

async function cleanupOnce() {
  if (context) {
    await Promise.race([context.close().catch(() => {}),
                        new Promise((r) => setTimeout(r, 5000))]);
    context = null;
  }
  for (const child of children.reverse()) {
    try {
      await stop(child);
    } catch (err) {
      console.log(`could not stop ${child.name}: ${err}`);
    }
  }
  if (failed > 0) {
    for (const name of ["sandbox.log", "bot.log", "bot.stdout.log"]) {
      console.log(`--- ${name} (last lines)\n${tail(name)}`);
    }
  }
  if (process.env.KEEP_TMP === "1") {
    console.log(`kept ${tmp}`);
  } else {
    fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  }
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    interrupted = true;
    failed += 1;
    console.log(`interrupted by ${signal}`);
    await cleanup();
    console.log(`${passed} passed, ${failed} failed`);
    process.exit(1);
  });
}

try {
  await main();
} catch (err) {
  failed += 1;
  console.log(`FAIL test harness: ${err && err.stack || err}`);
} finally {
  await cleanup();
}
for (const note of notes) console.log(`note: ${note}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
