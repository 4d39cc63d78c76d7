/** Savings advice, anomaly detection and month-end forecasts from the ledger's own rollups. */
export { adviceReport } from "./report.js";
export type { AdviceOptions, AdviceReport, ScopedAnomaly } from "./report.js";
export { recommend } from "./recommend.js";
export type { Recommendation, RecommendationType, RecommendOptions } from "./recommend.js";
export { detectAnomalies } from "./anomalies.js";
export type { AnomalyOptions, AnomalyPoint } from "./anomalies.js";
export { forecastMonthEnd } from "./forecast.js";
export type { MonthForecast } from "./forecast.js";
export { dailySeries } from "./daily-series.js";
export type { DailyPoint } from "./daily-series.js";
export type { Driver } from "./drivers.js";
