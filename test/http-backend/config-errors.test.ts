import { describe, expect, it } from "vitest";
import { parseDatabaseUrl, resolveDatabaseTarget, TokenTracker, type TrackerOptions } from "tokenledger";
import { httpStorage } from "tokenledger/http";
import { resolveStorage } from "../../src/storage-resolver.js";

const KEY = "tl_abcd1234_SECRETsecretSECRETsecretSECRETsecret99";

describe("remote ingest: bad URLs and missing keys are setup errors naming what to fix", () => {
  it("accepts https://, tokenledger+https:// and tokenledger+http:// as a server target", () => {
    for (const url of [
      "https://ledger.example.com",
      "tokenledger+https://ledger.example.com/base",
      "tokenledger+http://127.0.0.1:8787",
    ]) {
      expect(parseDatabaseUrl(url).kind).toBe("http");
    }
  });

  it("refuses plain http://: it would send the key in clear text without the user opting in", () => {
    expect(() => parseDatabaseUrl("http://ledger.example.com", "TOKENLEDGER_DATABASE_URL")).toThrow(
      /TOKENLEDGER_DATABASE_URL: .*plain http.*tokenledger\+http:\/\//,
    );
  });

  it("refuses credentials in the URL, naming the apiKey option and TOKENLEDGER_API_KEY, without echoing them", () => {
    let message = "";
    try {
      parseDatabaseUrl("tokenledger+https://ingest:hunter2hunter2@ledger.example.com", "storage");
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/storage: .*must not carry credentials/);
    expect(message).toMatch(/apiKey option/);
    expect(message).toMatch(/TOKENLEDGER_API_KEY/);
    expect(message).not.toContain("hunter2");
    expect(() => httpStorage({ url: "https://k:s@ledger.example.com", apiKey: KEY })).toThrow(
      /httpStorage\(\{ url \}\)/,
    );
  });

  it("refuses a key in the query string", () => {
    expect(() => parseDatabaseUrl(`https://ledger.example.com/?api_key=${KEY}`)).toThrow(/no query string/);
    try {
      parseDatabaseUrl(`https://ledger.example.com/?api_key=${KEY}`);
    } catch (err) {
      expect((err as Error).message).not.toContain("SECRETsecret");
    }
  });

  it("a TokenTracker given a server URL with userinfo fails at construction, naming the source", () => {
    const opts: TrackerOptions = { storage: "tokenledger+https://u:p@ledger.example.com", logger: false };
    expect(() => new TokenTracker(opts)).toThrow(/option: .*credentials/);
  });

  it("a missing key names the apiKey option and TOKENLEDGER_API_KEY", async () => {
    const saved = process.env.TOKENLEDGER_API_KEY;
    delete process.env.TOKENLEDGER_API_KEY;
    try {
      expect(() => httpStorage({ url: "https://ledger.example.com" })).toThrow(
        /apiKey option or the TOKENLEDGER_API_KEY/,
      );
      // Through the resolver (a URL in TOKENLEDGER_DATABASE_URL), the same message.
      const target = resolveDatabaseTarget(undefined, {
        TOKENLEDGER_DATABASE_URL: "https://ledger.example.com",
      });
      await expect(resolveStorage(target)).rejects.toThrow(/TOKENLEDGER_API_KEY/);
    } finally {
      if (saved !== undefined) process.env.TOKENLEDGER_API_KEY = saved;
    }
  });

  it("DATABASE_URL pointing at an https service is skipped (it is the app's, not ours)", () => {
    expect(resolveDatabaseTarget(undefined, { DATABASE_URL: "https://example.com/db" }).kind).toBe("sqlite");
  });

  it("tokenledger+http:// to another host works but warns that the key travels in clear text", () => {
    const warnings: string[] = [];
    const logger = { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) };
    httpStorage({ url: "tokenledger+http://127.0.0.1:8787", apiKey: KEY, spool: false, logger });
    expect(warnings).toEqual([]);
    httpStorage({ url: "tokenledger+http://10.1.2.3:8787", apiKey: KEY, spool: false, logger });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/plaintext HTTP/);
    expect(warnings[0]).not.toContain(KEY);
  });

  it("bad numeric options name themselves", () => {
    expect(() => httpStorage({ url: "https://h", apiKey: KEY, maxSpoolBytes: 0 })).toThrow(/maxSpoolBytes/);
    expect(() => httpStorage({ url: "https://h", apiKey: KEY, requestTimeoutMs: -1 })).toThrow(
      /requestTimeoutMs/,
    );
  });

  it("the backend is write-only: reads say so and point at the server API", async () => {
    const s = httpStorage({ url: "https://ledger.example.com", apiKey: KEY, spool: false });
    await expect(s.rollup()).rejects.toThrow(/write-only.*report --server/);
    await expect(s.latency()).rejects.toThrow(/write-only/);
    const it = s.events({})[Symbol.asyncIterator]();
    await expect(it.next()).rejects.toThrow(/write-only/);
  });
});
