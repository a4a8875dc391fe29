import { POST as authorize } from "@/app/api/oauth/[provider]/authorize/route";
import { GET as callback } from "@/app/api/oauth/[provider]/callback/route";
import { POST as refresh } from "@/app/api/oauth/[provider]/refresh/route";
import { POST as disconnect } from "@/app/api/oauth/[provider]/disconnect/route";

/** The `[provider]` routes as Next calls them for `/api/oauth/<slug>/…`. */
const as = (slug: string) => ({ params: Promise.resolve({ provider: slug }) });

export const authorizeRoute = (request: Request, slug = "tiktok") => authorize(request, as(slug));
export const callbackRoute = (request: Request, slug = "tiktok") => callback(request, as(slug));
export const refreshRoute = (request: Request, slug = "tiktok") => refresh(request, as(slug));
export const disconnectRoute = (request: Request, slug = "tiktok") => disconnect(request, as(slug));
