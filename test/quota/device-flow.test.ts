import { afterEach, describe, expect, it } from "vitest";
import { DeviceFlowError, pollDeviceFlow, startDeviceFlow } from "../../src/quota/device-flow.js";
import { fakeQuotaServer, type Answer } from "./fake-quota-server.js";

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** A fake clock: sleep advances it instantly and records every wait. */
function fakeClock(start = 1_000_000) {
  let t = start;
  const waits: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (waits.push(ms), (t += ms)), waits };
}

async function github(tokenAnswers: Answer[]) {
  const s = await fakeQuotaServer({
    "/login/device/code": {
      json: {
        device_code: "dc-1",
        user_code: "WDJB-MJHT",
        verification_uri: "https://github.com/login/device",
        expires_in: 900,
        interval: 5,
      },
    },
    "/login/oauth/access_token": (_r, n) => tokenAnswers[Math.min(n - 1, tokenAnswers.length - 1)]!,
  });
  close = s.close;
  return s;
}

describe("GitHub device flow on a fake clock", () => {
  it("shows the user code, waits through authorization_pending, honours slow_down (+5 s) and returns the token", async () => {
    const s = await github([
      { json: { error: "authorization_pending" } },
      { json: { error: "slow_down" } },
      { json: { error: "authorization_pending" } },
      { json: { access_token: "ghu_token123", token_type: "bearer", scope: "read:user" } },
    ]);
    const clock = fakeClock();
    const code = await startDeviceFlow({ loginBase: s.url, now: clock.now });
    expect(code.userCode).toBe("WDJB-MJHT");
    const token = await pollDeviceFlow(code, { loginBase: s.url, ...clock });
    expect(token).toBe("ghu_token123");
    expect(clock.waits).toEqual([5000, 5000, 10_000, 10_000]);
    const form = new URLSearchParams(s.seen[1]!.body);
    expect(form.get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:device_code");
    expect(new URLSearchParams(s.seen[0]!.body).get("scope")).toBe("read:user");
  });

  it("expired_token and access_denied end the flow with their own error", async () => {
    const s = await github([{ json: { error: "expired_token" } }]);
    const clock = fakeClock();
    const code = await startDeviceFlow({ loginBase: s.url, now: clock.now });
    await expect(pollDeviceFlow(code, { loginBase: s.url, ...clock })).rejects.toMatchObject({
      kind: "expired",
    });
    s.routes["/login/oauth/access_token"] = { json: { error: "access_denied" } };
    await expect(pollDeviceFlow(code, { loginBase: s.url, ...clock })).rejects.toMatchObject({
      kind: "denied",
    });
  });

  it("stops at the code's expiry even while GitHub keeps saying pending", async () => {
    const s = await github([{ json: { error: "authorization_pending" } }]);
    const clock = fakeClock();
    const code = await startDeviceFlow({ loginBase: s.url, now: clock.now });
    const err = await pollDeviceFlow(code, { loginBase: s.url, ...clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceFlowError);
    expect((err as DeviceFlowError).kind).toBe("expired");
    expect(clock.waits.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(900_000);
  });
});
