import { useEffect, useState } from "preact/hooks";
import { unwrap, type Schemas } from "../../api/client";
import { api } from "../../app/api";
import type { Suggestions } from "../../data/resources";

type Suggestion = Schemas["Suggestion"];

const PAGE = 5;
const MAX_PER_ASK = 20; // the API's largest page
const MAX_OFFSET = 100; // and how far it pages

/** "More": the people ranked after the first page, asked for by page as the person taps, and asked again
 * whenever the first page changes (the ranking moved). Needs the network; the first page stays offline. */
export function useMorePeople(first: Suggestions | undefined) {
  const [wanted, setWanted] = useState(0);
  const [extra, setExtra] = useState<{ people: Suggestion[]; more: boolean }>({ people: [], more: false });
  const [loading, setLoading] = useState(false);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    if (!first || wanted === 0) {
      setExtra({ people: [], more: false });
      return;
    }
    let live = true;
    setLoading(true);
    (async () => {
      const people: Suggestion[] = [];
      const start = first.suggestions.length;
      let more = true;
      while (more && people.length < wanted && start + people.length <= MAX_OFFSET) {
        const query = { offset: start + people.length, limit: Math.min(MAX_PER_ASK, wanted - people.length) };
        const page = await unwrap(api.GET("/api/me/suggestions", { params: { query } }));
        people.push(...page.suggestions);
        more = page.more && page.suggestions.length > 0;
      }
      const onFirst = new Set(first.suggestions.map((s) => s.attendee.id));
      if (live) {
        setExtra({ people: people.filter((s) => !onFirst.has(s.attendee.id)), more });
        setFailed(false);
      }
    })()
      .catch(() => live && setFailed(true))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [first, wanted]);

  return {
    people: extra.people,
    more: wanted === 0 ? Boolean(first?.more) : extra.more,
    loading,
    failed,
    loadMore: () => setWanted((n) => n + PAGE),
  };
}
