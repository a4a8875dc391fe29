"use client";
import { createAuthClient } from "better-auth/react";

/** Browser-side Better Auth client; same origin as the app. */
export const authClient = createAuthClient();
