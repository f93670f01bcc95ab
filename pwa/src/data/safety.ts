import type { Schemas } from "../api/client";
import { api } from "../app/api";
import type { Sender } from "../offline/queue";
import { invalidate } from "./resources";

export interface BlockRequest {
  attendee_id: number;
}

/** Neither side sees the other any more; they are not told. */
export const sendBlock: Sender = async (payload, key) => {
  const result = await api.POST("/api/me/blocks", { body: payload as BlockRequest, headers: { "Idempotency-Key": key } });
  if (result.data) invalidate("blocks", "suggestions", "requests");
  return result;
};

export const sendUnblock: Sender = async (payload, key) => {
  const { attendee_id } = payload as BlockRequest;
  const result = await api.DELETE("/api/me/blocks/{attendee_id}", {
    params: { path: { attendee_id } },
    headers: { "Idempotency-Key": key },
  });
  if (result.response.ok) invalidate("blocks", "suggestions");
  return result;
};

export type ReportRequest = Schemas["ReportCreate"];
export type ReportReason = ReportRequest["reason"];

/** Tells the event's organizers; the Idempotency-Key makes a replayed report count once. */
export const sendReport: Sender = (payload, key) =>
  api.POST("/api/me/reports", { body: payload as ReportRequest, headers: { "Idempotency-Key": key } });
