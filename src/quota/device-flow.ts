/**
 * GitHub's OAuth device flow (RFC 8628) for the Copilot quota: show a user code, poll until the user approves.
 * The clock and sleep are injected so the state machine is tested on a fake clock.
 */

/** The GitHub App the Copilot editors use; its tokens (ghu_) may read `copilot_internal/user`. */
export const COPILOT_CLIENT_ID = "Iv1.b507a08c87ecfe98";

export interface DeviceCode {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly verificationUri: string;
  readonly expiresAt: number;
  readonly intervalMs: number;
}

export type DeviceFlowFailure = "expired" | "denied" | "protocol";

export class DeviceFlowError extends Error {
  override readonly name = "DeviceFlowError";
  constructor(
    readonly kind: DeviceFlowFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface DeviceFlowDeps {
  readonly fetch?: typeof fetch;
  /** `https://github.com` or the enterprise host's URL. */
  readonly loginBase?: string;
  readonly clientId?: string;
  readonly now?: () => number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Told each time the poll interval changes (slow_down), for the "waiting" line. */
  readonly onWait?: (intervalMs: number) => void;
}

const realSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(signal.reason)), { once: true });
  });

async function postForm(
  deps: DeviceFlowDeps,
  path: string,
  form: Record<string, string>,
): Promise<Record<string, unknown>> {
  const res = await (deps.fetch ?? fetch)(`${deps.loginBase ?? "https://github.com"}${path}`, {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form).toString(),
    signal: deps.signal ?? null,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new DeviceFlowError("protocol", `${path}: HTTP ${res.status}, not JSON`);
  }
  if (body === null || typeof body !== "object")
    throw new DeviceFlowError("protocol", `${path}: not an object`);
  return body as Record<string, unknown>;
}

export async function startDeviceFlow(deps: DeviceFlowDeps = {}): Promise<DeviceCode> {
  const now = deps.now ?? Date.now;
  const body = await postForm(deps, "/login/device/code", {
    client_id: deps.clientId ?? COPILOT_CLIENT_ID,
    scope: "read:user",
  });
  const { device_code, user_code, verification_uri, expires_in, interval } = body;
  if (
    typeof device_code !== "string" ||
    typeof user_code !== "string" ||
    typeof verification_uri !== "string"
  )
    throw new DeviceFlowError(
      "protocol",
      `/login/device/code: ${typeof body.error === "string" ? body.error : "unexpected answer"}`,
    );
  return {
    deviceCode: device_code,
    userCode: user_code,
    verificationUri: verification_uri,
    expiresAt: now() + (typeof expires_in === "number" ? expires_in : 900) * 1000,
    intervalMs: (typeof interval === "number" ? interval : 5) * 1000,
  };
}

/**
 * Poll until a token arrives. `authorization_pending` waits one interval; `slow_down` adds 5 s to it for good
 * (RFC 8628 §3.5) or takes the interval GitHub sends; `expired_token` and `access_denied` end the flow.
 */
export async function pollDeviceFlow(code: DeviceCode, deps: DeviceFlowDeps = {}): Promise<string> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? realSleep;
  let interval = code.intervalMs;
  for (;;) {
    if (now() >= code.expiresAt)
      throw new DeviceFlowError("expired", "the code expired before it was approved; start again");
    await sleep(interval, deps.signal);
    const body = await postForm(deps, "/login/oauth/access_token", {
      client_id: deps.clientId ?? COPILOT_CLIENT_ID,
      device_code: code.deviceCode,
      grant_type: "urn:ietf:params:oauth:grant-type:device_code",
    });
    if (typeof body.access_token === "string" && body.access_token !== "") return body.access_token;
    switch (body.error) {
      case "authorization_pending":
        continue;
      case "slow_down":
        interval = typeof body.interval === "number" ? body.interval * 1000 : interval + 5000;
        deps.onWait?.(interval);
        continue;
      case "expired_token":
        throw new DeviceFlowError("expired", "the code expired before it was approved; start again");
      case "access_denied":
        throw new DeviceFlowError("denied", "the request was denied on GitHub");
      default:
        throw new DeviceFlowError(
          "protocol",
          `GitHub answered ${typeof body.error === "string" ? body.error : "without a token"}`,
        );
    }
  }
}
