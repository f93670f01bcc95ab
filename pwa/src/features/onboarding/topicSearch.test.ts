import { describe, expect, it } from "vitest";
import { searchTopics } from "./topicSearch";

const topics = [
  { id: 1, name: "Kubernetes", synonyms: ["k8s", "kube"] },
  { id: 2, name: "Observabilité", synonyms: ["o11y", "monitoring"] },
  { id: 3, name: "FinOps", synonyms: ["coûts cloud"] },
  { id: 4, name: "Cloud native", synonyms: [] },
];

const names = (query: string) => searchTopics(topics, query).map((t) => t.name);

describe("topic search", () => {
  it("finds topics by synonym", () => {
    expect(names("k8s")).toEqual(["Kubernetes"]);
    expect(names("O11Y")).toEqual(["Observabilité"]);
  });

  it("ignores case and accents", () => {
    expect(names("observabilite")).toEqual(["Observabilité"]);
    expect(names("couts")).toEqual(["FinOps"]);
  });

  it("lists name matches before synonym matches", () => {
    expect(names("cloud")).toEqual(["Cloud native", "FinOps"]);
  });

  it("returns every topic for an empty query", () => {
    expect(names("  ")).toHaveLength(4);
  });
});
