import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const PREFIX_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789";
const TOKEN = /^tl_([a-z0-9]{8})_([A-Za-z0-9]{32,128})$/;

function randomString(alphabet: string, length: number): string {
  // Rejection sampling keeps every character equally likely (no modulo bias).
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < limit && out.length < length) out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

/**
 * The stored form of a secret: hex SHA-256. Not scrypt/argon2 on purpose: those slow down guessing of
 * low-entropy passwords, but a key secret is 32 random base62 characters (~190 bits), beyond any guessing,
 * so a fast hash is as safe, and a slow one would cost ~50 ms of CPU on every API request (a DoS lever).
 */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export interface NewKey {
  /** `tl_<prefix>_<secret>`: shown once, never stored. */
  readonly token: string;
  readonly prefix: string;
  readonly hash: string;
}

export function generateKey(): NewKey {
  const prefix = randomString(PREFIX_CHARS, 8);
  const secret = randomString(BASE62, 32);
  return { token: `tl_${prefix}_${secret}`, prefix, hash: hashSecret(secret) };
}

/** Split a presented token; null when it is not shaped like a tokenledger key. */
export function parseToken(token: string): { prefix: string; secret: string } | null {
  const m = TOKEN.exec(token);
  return m ? { prefix: m[1]!, secret: m[2]! } : null;
}

/** A random opaque value (session ids, CSRF tokens): 32 bytes, base64url. */
export function opaqueToken(): string {
  return randomBytes(32).toString("base64url");
}
