import { describe, expect, it } from "vitest";
import { zoneToken } from "./zoneLink";

describe("zone poster links", () => {
  it("reads the check-in token of a poster URL", () => {
    expect(zoneToken("https://couloir.example/z/AbC_123-xyzTOKEN")).toBe("AbC_123-xyzTOKEN");
    expect(zoneToken(" http://127.0.0.1:8000/z/abcdefgh12345678/ ")).toBe("abcdefgh12345678");
  });

  it("refuses anything else", () => {
    for (const text of ["hello", "https://example.org/", "https://x/z/", "https://x/z/a/b", "javascript:alert(1)", "https://x/z/short"]) {
      expect(zoneToken(text), text).toBeNull();
    }
  });
});
