import type { Schemas } from "../api/client";
import { api } from "../app/api";
import type { Sender } from "../offline/queue";
import { invalidate, stored } from "./resources";

export type CheckinRequest = Schemas["CheckIn"];

/** What moves with the person's presence: who is around, and the zone figures. */
const AROUND = ["suggestions", "zoneCounts"] as const;

/** Replays a queued check-in (scanned poster, /z/ link or typed code) with its original key. */
export const sendCheckin: Sender = async (payload, key) => {
  const result = await api.POST("/api/me/check-ins", {
    body: payload as CheckinRequest,
    headers: { "Idempotency-Key": key },
  });
  if (result.data) {
    await stored("presence", result.data);
    invalidate(...AROUND);
  }
  return result;
};

/** "I'm leaving", queued like any write: the presence ends on the server when it is sent. */
export const sendLeave: Sender = async (_payload, key) => {
  const result = await api.DELETE("/api/me/presence", { headers: { "Idempotency-Key": key } });
  if (result.response.ok) {
    await stored("presence", null);
    invalidate(...AROUND);
  }
  return result;
};
