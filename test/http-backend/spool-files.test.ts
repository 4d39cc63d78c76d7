import { describe, expect, it } from "vitest";
import { claimable, parseSpoolFileName, spoolFileName, THIS_HOST } from "../../adapters/http/spool-files.js";
import { decodeSpool } from "../../adapters/http/spool.js";

describe("spool file ownership", () => {
  const own = new Set(["aaa"]);
  it("names round-trip", () => {
    for (const f of [
      { state: "r", id: "abc123" },
      { state: "w", host: THIS_HOST, pid: 42, id: "x1" },
      { state: "c", host: "other-host.example", pid: 7, id: "y2" },
    ] as const)
      expect(parseSpoolFileName(spoolFileName(f))).toEqual(f);
    expect(parseSpoolFileName("notes.txt")).toBeNull();
  });

  it("a live process's file is left alone; a dead one's is claimable; another host's never", () => {
    const parent = process.ppid; // alive while this test runs
    expect(claimable({ state: "w", host: THIS_HOST, pid: parent, id: "b" }, own)).toBe(false);
    expect(claimable({ state: "w", host: THIS_HOST, pid: 2 ** 22 + 12345, id: "b" }, own)).toBe(true);
    expect(claimable({ state: "c", host: "elsewhere", pid: 2 ** 22 + 12345, id: "b" }, own)).toBe(false);
    expect(claimable({ state: "r", id: "b" }, own)).toBe(true);
  });

  it("our own pid on a file we did not create (a restarted container reuses pid 1) is a dead process's file", () => {
    expect(claimable({ state: "w", host: THIS_HOST, pid: process.pid, id: "aaa" }, own)).toBe(false);
    expect(claimable({ state: "w", host: THIS_HOST, pid: process.pid, id: "zzz" }, own)).toBe(true);
  });

  it("decoding skips a torn or corrupt line and counts it", () => {
    const good = JSON.stringify({ v: 1, events: [{ id: "1" }, { id: "2" }] });
    expect(decodeSpool(`${good}\nnot json\n${good}\n{"v":1,"ev`)).toEqual({
      events: [{ id: "1" }, { id: "2" }, { id: "1" }, { id: "2" }],
      skipped: 2,
    });
  });
});
