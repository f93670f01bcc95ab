import { describe, expect, it } from "vitest";
import { ApiError } from "../../../api/client";
import { badgesCsv, fileProblems, formatOfName } from "./importFile";

describe("organizer imports", () => {
  it("guesses the programme format from the file name", () => {
    expect(formatOfName("schedule.JSON")).toBe("json");
    expect(formatOfName("export.frab.xml")).toBe("xml");
    expect(formatOfName("talks.csv")).toBe("csv");
    expect(formatOfName("talks.xlsx")).toBeUndefined();
  });

  it("reads the problems of a refused file, and nothing from other errors", () => {
    const refused = ApiError.from(422, {
      error: "InvalidImportFile",
      detail: { message: "1 problem", problems: [{ where: "line 3", field: "start", problem: "not a time" }] },
    });
    expect(fileProblems(refused)).toEqual([{ where: "line 3", field: "start", problem: "not a time" }]);
    expect(fileProblems(ApiError.from(422, { error: "InvalidInput", detail: [] }))).toEqual([]);
    expect(fileProblems(new Error("boom"))).toEqual([]);
  });

  it("writes the badge CSV with quoting and inert formulas", () => {
    const csv = badgesCsv([
      { attendee_id: 1, display_name: "Zoé, \"Z\" Martin", email: "zoe@example.org", join_url: "http://x/j/1" },
      { attendee_id: 2, display_name: "=HYPERLINK(1)", email: null, join_url: "http://x/j/2" },
    ]);
    expect(csv).toBe(
      'name,email,join_url\r\n"Zoé, ""Z"" Martin",zoe@example.org,http://x/j/1\r\n\'=HYPERLINK(1),,http://x/j/2\r\n',
    );
  });
});
