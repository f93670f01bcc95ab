import { describe, expect, it } from "vitest";
import type { Contact } from "../../data/resources";
import type { OutboxItem } from "../../offline/db";
import { filtered, parseTags, tagsOf, withPendingEdits } from "./list";

const contact = (id: number, fields: Partial<Contact> = {}): Contact => ({
  id,
  other_attendee_id: id + 100,
  name: `Person ${id}`,
  headline: "",
  company: null,
  email: null,
  phone: null,
  website_url: null,
  event_name: "DevOps Days",
  zone_name: null,
  shared_topics: [],
  how: "qr",
  met_at: "2026-03-12T10:00:00Z",
  note: "",
  tags: [],
  follow_up: false,
  photo_url: null,
  ask_me_about: "",
  find_me_hint: "",
  ...fields,
});
const edit = (createdAt: number, id: number, change: object): OutboxItem => ({
  key: `k${createdAt}`,
  kind: "contactEdit",
  payload: { id, change },
  createdAt,
  attempts: 0,
});

describe("contacts on the phone", () => {
  it("shows edits still waiting to be sent over the last sync, latest last", () => {
    const list = [contact(1, { note: "old", tags: ["a"] }), contact(2)];
    const shown = withPendingEdits(list, [
      edit(1, 1, { note: "first" }),
      edit(2, 1, { follow_up: true }),
      edit(3, 1, { note: "second" }),
      { ...edit(4, 2, { note: "ignored" }), kind: "profile" },
    ]);
    expect(shown[0]).toMatchObject({ note: "second", tags: ["a"], follow_up: true });
    expect(shown[1]).toEqual(list[1]);
    expect(list[0]!.note).toBe("old");
  });

  it("reads tags typed with commas", () => {
    expect(parseTags(" lead, hiring ,lead,, ")).toEqual(["lead", "hiring"]);
    expect(parseTags("")).toEqual([]);
  });

  it("filters by follow-up and by tag", () => {
    const list = [contact(1, { tags: ["b", "a"], follow_up: true }), contact(2, { tags: ["a"] })];
    expect(tagsOf(list)).toEqual(["a", "b"]);
    expect(filtered(list, { kind: "followUp" }).map((c) => c.id)).toEqual([1]);
    expect(filtered(list, { kind: "tag", tag: "a" }).map((c) => c.id)).toEqual([1, 2]);
    expect(filtered(list, { kind: "all" })).toHaveLength(2);
  });
});
