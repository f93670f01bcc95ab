import { describe, expect, it } from "vitest";
import { orgEn } from "./en";
import { orgFr } from "./fr";
import { translate } from "./index";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("organizer console strings", () => {
  it("has every string in both languages with the same placeholders", () => {
    expect(Object.keys(orgFr).sort()).toEqual(Object.keys(orgEn).sort());
    for (const key of Object.keys(orgEn) as (keyof typeof orgEn)[]) {
      expect(orgFr[key].trim(), key).not.toBe("");
      expect(placeholders(orgFr[key]), key).toEqual(placeholders(orgEn[key]));
    }
  });

  it("translates the console's keys and the app's alike", () => {
    expect(translate("fr", "org.title")).toBe(orgFr["org.title"]);
    expect(translate("en", "nav.here")).toBe("Here");
    expect(translate("fr", "agenda.nextBreak", { minutes: 12 })).toBe("Prochaine pause dans 12 min");
  });
});
