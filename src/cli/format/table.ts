import Table from "cli-table3";
import type pc from "picocolors";

export type Colors = ReturnType<typeof pc.createColors>;

export interface Column<R> {
  readonly header: string;
  readonly value: (row: R) => string;
  readonly align?: "left" | "right";
  /** A grouping key: left blank on the totals row. */
  readonly key?: boolean;
}

/**
 * A boxed table with a totals row. Below 100 columns of terminal the borders and padding shrink so
 * wide reports still fit; colour only when the caller's palette has it (NO_COLOR / pipes get plain text).
 */
export function renderTable<R>(
  columns: readonly Column<R>[],
  rows: readonly R[],
  totals: R | null,
  colors: Colors,
  // 120 when stdout is not a terminal (a pipe, CI): wide enough for the full boxed layout.
  width = process.stdout.columns ?? 120,
): string {
  const compact = width < 100;
  const table = new Table({
    head: columns.map((c) => colors.bold(c.header)),
    // Right by default: most columns are numbers, and right-aligned digits line up by place value.
    colAligns: columns.map((c) => c.align ?? "right"),
    style: {
      head: [],
      border: [],
      compact,
      "padding-left": compact ? 0 : 1,
      "padding-right": compact ? 0 : 1,
    },
    wordWrap: true,
  });
  // Cells are already strings: formatting (money rounding, counts) happens in the column, never in the table.
  for (const row of rows) table.push(columns.map((c) => c.value(row)));
  // The first cell says Total; other key columns stay blank, since a total belongs to no one team or model.
  if (totals)
    table.push(columns.map((c, i) => colors.yellow(i === 0 ? "Total" : c.key ? "" : c.value(totals))));
  return `${table.toString()}\n`;
}
