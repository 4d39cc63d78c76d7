export { costTotals, costBy, topN, monthEndProjection } from "./cost-reports.js";
export type { ReportFilter, MonthEndProjection } from "./cost-reports.js";
