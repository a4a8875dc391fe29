import { z } from "zod";

/** A row id as it may appear in a path or body (UUIDs and similar): anything else is refused unread. */
export const idSchema = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/);
