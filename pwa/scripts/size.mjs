// The JavaScript a phone downloads before the first screen: the entry script and what it preloads,
// gzipped. Fails above the budget, or if the QR decoder slipped into it.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_BYTES = 50 * 1024;
const dist = join(import.meta.dirname, "..", "dist");
const html = readFileSync(join(dist, "index.html"), "utf8");
const scripts = [
  ...html.matchAll(/<script[^>]+src="\/([^"]+\.js)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
].map((m) => m[1]);

let total = 0;
for (const file of new Set(scripts)) {
  const source = readFileSync(join(dist, file));
  const size = gzipSync(source, { level: 9 }).length;
  total += size;
  console.log(`${file}: ${(source.length / 1024).toFixed(1)} KB, ${(size / 1024).toFixed(1)} KB gzipped`);
}
// Vite names a lazily imported module's chunk after it: no such chunk means jsQR was bundled in.
const decoder = readdirSync(join(dist, "assets")).filter((f) => /^jsQR-.*\.js$/.test(f));
if (decoder.length !== 1 || scripts.some((f) => f.includes("jsQR"))) {
  console.error("the QR decoder must be its own chunk, loaded only on the scan screen");
  process.exit(1);
}
console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_BYTES / 1024} KB)`);
if (scripts.length === 0 || total > BUDGET_BYTES) process.exit(1);
