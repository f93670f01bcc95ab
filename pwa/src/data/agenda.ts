import { api } from "../app/api";
import type { Sender } from "../offline/queue";
import { invalidate } from "./resources";

export interface BookmarkRequest {
  talk_id: number;
}

/** Bookmarks are mine alone; a replay with the same Idempotency-Key counts once, and so does a second tap. */
export const sendBookmark: Sender = async (payload, key) => {
  const { talk_id } = payload as BookmarkRequest;
  const result = await api.PUT("/api/me/bookmarks/{talk_id}", {
    params: { path: { talk_id } },
    headers: { "Idempotency-Key": key },
  });
  if (result.response.ok) invalidate("bookmarks");
  return result;
};

export const sendUnbookmark: Sender = async (payload, key) => {
  const { talk_id } = payload as BookmarkRequest;
  const result = await api.DELETE("/api/me/bookmarks/{talk_id}", {
    params: { path: { talk_id } },
    headers: { "Idempotency-Key": key },
  });
  if (result.response.ok) invalidate("bookmarks");
  return result;
};
