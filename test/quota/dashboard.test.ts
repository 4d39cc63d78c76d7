import { createElement } from "react";
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Dashboard } from "../../src/cli/quota-tui/dashboard.js";
import { gaugeColor } from "../../src/quota/format.js";
import { QuotaMonitor } from "../../src/quota/monitor.js";
import * as cp from "../fixtures/quota/copilot.js";
import * as or from "../fixtures/quota/openrouter.js";
import { fakeQuotaServer } from "./fake-quota-server.js";

const closers: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function setup() {
  const orServer = await fakeQuotaServer({ "/api/v1/key": { json: or.keyDailyCap } });
  const cpServer = await fakeQuotaServer({ "/copilot_internal/user": { json: cp.business } });
  closers.push(orServer.close, cpServer.close);
  const monitor = new QuotaMonitor(
    [
      {
        account: { provider: "openrouter", accountId: "user_2x9:k", label: "work-key" },
        secret: "sk-or-v1-x",
      },
      { account: { provider: "copilot", accountId: "583231", label: "octo" }, secret: "ghu_x" },
    ],
    { fetchOptions: (a) => ({ baseUrl: a.provider === "openrouter" ? orServer.url : cpServer.url }) },
  );
  const actions = {
    addKey: vi.fn(async () => "new-key"),
    startDeviceLogin: vi.fn(async () => ({
      userCode: "ABCD-1234",
      verificationUri: "https://github.com/login/device",
      done: new Promise<string>(() => {}),
    })),
    remove: vi.fn(async () => {}),
  };
  const app = render(
    createElement(Dashboard, { monitor, actions, now: () => new Date("2026-12-01T15:30:00Z") }),
  );
  closers.push(() => app.unmount());
  return { app, actions, monitor };
}

async function until(
  read: () => string | undefined,
  pred: (f: string) => boolean,
  ms = 5000,
): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    const f = read() ?? "";
    if (pred(f)) return f;
    if (Date.now() > end) throw new Error(`frame never matched:\n${f}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const press = async (app: { stdin: { write(s: string): void } }, s: string) => {
  app.stdin.write(s);
  await new Promise((r) => setTimeout(r, 30));
};
const type = async (app: { stdin: { write(s: string): void } }, s: string) => {
  for (const ch of s) {
    app.stdin.write(ch);
    await new Promise((r) => setTimeout(r, 2));
  }
};

describe("quota dashboard (ink-testing-library, 80×24)", () => {
  it("shows accounts left, details right, fits 80×24, and shows an unknown balance as unknown, never $0", async () => {
    const { app } = await setup();
    const frame = await until(app.lastFrame, (f) => f.includes("daily limit") && f.includes("octo"));
    const lines = frame.split("\n");
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    expect(frame).toContain("OR work-key");
    expect(frame).toMatch(/\$3\.25 \/ \$10\.00 \(32\.5%\)/);
    expect(frame).toMatch(/credit balance\s+unknown/);
    expect(frame).not.toContain("$0.00");
    expect(frame).toContain("j/k move");
  });

  it("j/k move the selection; d asks before deleting and n keeps the account; y deletes", async () => {
    const { app, actions } = await setup();
    await until(app.lastFrame, (f) => f.includes("daily limit"));
    await press(app, "j");
    const second = await until(app.lastFrame, (f) => f.includes("premium reqs"));
    expect(second).toMatch(/185.4 req \/ 300 req/);
    await press(app, "d");
    expect(await until(app.lastFrame, (f) => f.includes("y/n"))).toContain("Delete copilot/octo");
    await press(app, "n");
    await until(app.lastFrame, (f) => f.includes("j/k move"));
    expect(actions.remove).not.toHaveBeenCalled();
    await press(app, "d");
    await press(app, "y");
    await until(app.lastFrame, (f) => f.includes("j/k move"));
    expect(actions.remove).toHaveBeenCalledTimes(1);
  });

  it("a adds an account inside the dashboard with the key masked as typed; the key never reaches the screen", async () => {
    const { app, actions } = await setup();
    await until(app.lastFrame, (f) => f.includes("daily limit"));
    await press(app, "a");
    await until(app.lastFrame, (f) => f.includes("o OpenRouter"));
    await press(app, "o");
    await type(app, "sk-or-v1-secret");
    const masked = await until(app.lastFrame, (f) => f.includes("•".repeat(15)));
    expect(masked).not.toContain("secret");
    await press(app, "\r");
    await until(app.lastFrame, (f) => f.includes("j/k move"));
    expect(actions.addKey).toHaveBeenCalledWith("openrouter", "sk-or-v1-secret");
  });

  it("c starts the device flow and shows the user code to type on GitHub", async () => {
    const { app } = await setup();
    await until(app.lastFrame, (f) => f.includes("daily limit"));
    await press(app, "a");
    await press(app, "c");
    expect(await until(app.lastFrame, (f) => f.includes("ABCD-1234"))).toContain(
      "https://github.com/login/device",
    );
  });

  it("gauges are green under 50 %, yellow to 80 %, red above; unknown is grey", () => {
    expect([gaugeColor(49.9), gaugeColor(50), gaugeColor(80), gaugeColor(80.1), gaugeColor(null)]).toEqual([
      "green",
      "yellow",
      "yellow",
      "red",
      "gray",
    ]);
  });
});
