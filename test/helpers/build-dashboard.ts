// Builds the dashboard from the current source into a temp directory (the same tsup options as `npm run build`).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "tsup";
import { dashboardBuildOptions } from "../../src/server/dashboard/build.js";

export async function buildDashboard(): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), "tl-dashboard-build-")), "dashboard");
  await build({ ...dashboardBuildOptions(dir), config: false, silent: true });
  return dir;
}
