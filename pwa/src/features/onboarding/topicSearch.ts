import type { Topic } from "../../data/resources";

/** Case- and accent-blind, like the server's matching: "observabilite" finds "Observabilité". */
export function fold(text: string): string {
  return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().trim();
}

/** Topics whose name (in any language) or a synonym contains the query; name matches first, then by name. */
export function searchTopics(topics: Topic[], query: string): Topic[] {
  const q = fold(query);
  if (!q) return topics;
  const byName: Topic[] = [];
  const bySynonym: Topic[] = [];
  for (const topic of topics) {
    if ([topic.name, topic.name_fr, topic.name_en].some((name) => name && fold(name).includes(q))) byName.push(topic);
    else if (topic.synonyms.some((s) => fold(s).includes(q))) bySynonym.push(topic);
  }
  return [...byName, ...bySynonym];
}
