import type { SessionInfo } from "./api-types.js";

/** The API answered with a status the caller must handle (401: back to the login form). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Query = Record<string, string | number | undefined>;

/**
 * Talks to `/api/v1` with the session cookie (sent by the browser: HttpOnly, never readable here) and adds the
 * CSRF token to every write. The API key itself is only ever in the login request body.
 */
export class Api {
  #csrf: string | null = null;
  onUnauthorized: () => void = () => {};

  async get<T>(path: string, query: Query = {}): Promise<T> {
    return this.#call<T>("GET", path + queryString(query));
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.#call<T>("POST", path, body);
  }

  /** The current session, or null when there is none (a 401). */
  async session(): Promise<SessionInfo | null> {
    try {
      const s = await this.#call<SessionInfo>("GET", "/session", undefined, false);
      this.#csrf = s.csrfToken;
      return s;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  }

  async login(key: string): Promise<SessionInfo> {
    const s = await this.#call<SessionInfo>("POST", "/session", { key }, false);
    this.#csrf = s.csrfToken;
    return s;
  }

  async logout(): Promise<void> {
    try {
      await this.#call<unknown>("DELETE", "/session", undefined, false);
    } finally {
      this.#csrf = null;
    }
  }

  async #call<T>(method: string, path: string, body?: unknown, notifyUnauthorized = true): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (method !== "GET" && this.#csrf) headers["x-csrf-token"] = this.#csrf;
    const res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status === 204) return undefined as T;
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) {
      if (res.status === 401 && notifyUnauthorized) this.onUnauthorized();
      throw new ApiError(res.status, errorMessage(json) ?? `${method} ${path}: HTTP ${res.status}`);
    }
    return json as T;
  }
}

function errorMessage(json: unknown): string | undefined {
  const e = (json as { error?: { message?: unknown } } | null)?.error;
  return typeof e?.message === "string" ? e.message : undefined;
}

function queryString(q: Query): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : "";
}
