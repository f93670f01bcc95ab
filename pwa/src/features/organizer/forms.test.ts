import { describe, expect, it } from "vitest";
import { ApiError } from "../../api/client";
import { translate } from "./i18n";
import { eventBody, slugOf } from "./EventForm";
import { formError } from "./formError";
import { synonymsOf } from "./topics/TopicForm";

const t = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate("en", key, vars);

describe("organizer forms", () => {
  it("makes an address of an event's name", () => {
    expect(slugOf("Journées DevOps — Lyon 2026!")).toBe("journees-devops-lyon-2026");
    expect(slugOf("x".repeat(80))).toHaveLength(64);
  });

  it("sends times on the venue's clock, a price in cents only with its currency, the languages in order", () => {
    const fields = {
      name: " Conf ", slug: "conf", subject: "platforms", description: "", timezone: "Europe/Paris",
      starts: "2026-06-02T09:00", ends: "2026-06-02T18:00", price: "249,50", currency: "eur",
      languages: "en,fr", retentionDays: "30", invitationOnly: true,
    } as const;
    expect(eventBody(fields)).toMatchObject({
      name: "Conf",
      starts_at: "2026-06-02T07:00:00.000Z",
      ends_at: "2026-06-02T16:00:00.000Z",
      ticket_price_cents: 24950,
      currency: "EUR",
      languages: ["en", "fr"],
      presence_retention_days: 30,
      invitation_only: true,
    });
    expect(eventBody({ ...fields, price: " " })).toMatchObject({ ticket_price_cents: null, currency: null });
  });

  it("reads synonyms typed in one line, without blanks or repeats", () => {
    expect(synonymsOf(" k8s, kube ,, K8S, ")).toEqual(["k8s", "kube"]);
  });

  it("names the fields the server refused by their labels, its words only as a detail", () => {
    const refused = ApiError.from(422, {
      error: "InvalidInput",
      detail: [{ loc: ["body", "ends_at"], msg: "Value error, ends_at must be after starts_at", type: "value_error" }],
    });
    expect(formError(t, refused)).toBe(
      "Please check what you entered. ends_at (ends_at must be after starts_at)",
    );
    const fr = (key: Parameters<typeof translate>[1]) => translate("fr", key);
    const labels = { ends_at: "org.event.ends", languages: "org.event.languages" } as const;
    expect(formError(fr, refused, {}, labels)).toBe(
      `${translate("fr", "error.InvalidInput")} Fin (ends_at must be after starts_at)`,
    );
    const twoFields = ApiError.from(422, {
      error: "InvalidInput",
      detail: [
        { loc: ["body", "languages", 1], msg: "Input should be 'fr' or 'en'", type: "enum" },
        { loc: ["body", "colour"], msg: "Extra inputs are not permitted", type: "extra_forbidden" },
      ],
    });
    expect(formError(t, twoFields, {}, labels)).toBe(
      "Please check what you entered. Languages (Input should be 'fr' or 'en'); colour (Extra inputs are not permitted)",
    );
    const ownNeighbour = ApiError.from(422, { error: "InvalidInput", detail: "a zone cannot be its own neighbour" });
    expect(formError(t, ownNeighbour)).toBe("Please check what you entered. a zone cannot be its own neighbour");
    const taken = ApiError.from(409, { error: "Conflict", detail: "taken" });
    expect(formError(t, taken, { Conflict: "org.event.slugTaken" })).toBe(
      "Another event already uses this short address.",
    );
  });
});
