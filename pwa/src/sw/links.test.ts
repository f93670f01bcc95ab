import { describe, expect, it } from "vitest";
import { safePath } from "./links";

describe("notification links", () => {
  it("opens the app's own screens", () => {
    expect(safePath("/contacts")).toBe("/contacts");
    expect(safePath("/here?zone=3")).toBe("/here?zone=3");
  });

  it("never leaves the app", () => {
    for (const url of ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)", "", null, 42]) {
      expect(safePath(url), String(url)).toBe("/here");
    }
  });
});
