import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "./en";
import { fr } from "./fr";
import { detectLanguage, translate } from "./index";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("i18n", () => {
  it("has every string in both languages with the same placeholders", () => {
    expect(Object.keys(fr).sort()).toEqual(Object.keys(en).sort());
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(fr[key].trim(), key).not.toBe("");
      expect(placeholders(fr[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it("fills placeholders", () => {
    expect(translate("fr", "agenda.nextBreak", { minutes: 12 })).toBe("Prochaine pause dans 12 min");
    expect(translate("en", "agenda.nextBreak", { minutes: 12 })).toBe("Next break in 12 min");
  });

  it("picks French or English from the browser, English otherwise", () => {
    expect(detectLanguage(["fr-FR", "en-US"])).toBe("fr");
    expect(detectLanguage(["de-DE", "en-GB", "fr"])).toBe("en");
    expect(detectLanguage(["de-DE"])).toBe("en");
    expect(detectLanguage([])).toBe("en");
  });

  it("keeps text out of components: every string comes from the dictionaries", () => {
    const root = join(import.meta.dirname, "..");
    const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith(".tsx"));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const source = readFileSync(join(root, file), "utf8");
      // Text between a tag's ">" (not an arrow's) and the next "<", outside any {expression}.
      const jsxText = [...source.matchAll(/(?<![=-])>([^<>{};]*)</g)]
        .map((m) => m[1]!.trim())
        .filter((text) => /[A-Za-zÀ-ÿ]{2,}/.test(text) && !/&&|\|\||[=!]==/.test(text)); // not a comparison
      const attributes = source.match(/\b(aria-label|placeholder|alt|title)="[^"]*[A-Za-z][^"]*"/g) ?? [];
      expect([...jsxText, ...attributes], file).toEqual([]);
    }
  });
});
