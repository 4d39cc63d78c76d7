/**
 * Display formatting for the API's decimal USD strings, done on the digits: a JS float never holds an amount
 * the dashboard shows. Rounding is half-up (away from zero) at `places` decimals.
 */
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** `"1234.5678"` → `"$1,234.57"`; amounts that would show as $0.00 keep up to 6 decimals (`"$0.000123"`). */
export function formatUsd(value: string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const m = DECIMAL.exec(value.trim());
  if (!m) return value;
  const rounded = roundDecimal(value, 2);
  if (/^-?0\.00$/.test(rounded) && /[1-9]/.test(m[3] ?? "")) return `${m[1]}$${roundDecimal(value, 6)}`;
  const [int = "0", frac = ""] = rounded.replace("-", "").split(".");
  return `${rounded.startsWith("-") ? "-" : ""}$${groupThousands(int)}.${frac}`;
}

/** Rounds a decimal string to `places` decimals, half-up, on its digits. */
export function roundDecimal(value: string, places: number): string {
  const m = DECIMAL.exec(value.trim());
  if (!m) throw new Error(`not a decimal string: ${value}`);
  const sign = m[1] ?? "";
  const int = m[2] ?? "0";
  const frac = (m[3] ?? "").padEnd(places + 1, "0");
  let digits = int + frac.slice(0, places);
  if (Number(frac[places]) >= 5) digits = incrementDigits(digits);
  const intLen = digits.length - places;
  const out = places > 0 ? `${digits.slice(0, intLen)}.${digits.slice(intLen)}` : digits;
  const normal = out.replace(/^0+(?=\d)/, "");
  return /[1-9]/.test(normal) ? sign + normal : normal;
}

function incrementDigits(digits: string): string {
  const a = digits.split("");
  for (let i = a.length - 1; i >= 0; i--) {
    if (a[i] === "9") a[i] = "0";
    else {
      a[i] = String(Number(a[i]) + 1);
      return a.join("");
    }
  }
  return `1${a.join("")}`;
}

export function groupThousands(int: string): string {
  return int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** For chart heights and bar widths only (pixels, not amounts shown as text). */
export function usdToPlotNumber(value: string | null | undefined): number {
  return value ? Number(value) : 0;
}
