import { describe, expect, it } from "vitest";
import { connectCode } from "./connectLink";
import { zoneToken } from "./zoneLink";

describe("personal connect links", () => {
  it("reads the code of a connect URL", () => {
    expect(connectCode("https://couloir.example/c/Abc_def-GHIjkl0123456789xyz")).toBe("Abc_def-GHIjkl0123456789xyz");
    expect(connectCode(" http://127.0.0.1:8000/c/abcdefghijklmnop/ ")).toBe("abcdefghijklmnop");
  });

  it("refuses anything else, zone posters included", () => {
    for (const text of ["hello", "https://x/c/", "https://x/c/short", "https://x/c/a/b", "ftp://x/c/abcdefghijklmnopq"]) {
      expect(connectCode(text), text).toBeNull();
    }
    const poster = "https://x/z/abcdefghijklmnopqrst";
    expect(connectCode(poster)).toBeNull();
    expect(zoneToken("https://x/c/abcdefghijklmnopqrst")).toBeNull();
  });
});
