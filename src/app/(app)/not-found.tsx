import { NotFoundPanel } from "@/components/not-found-panel";

/**
 * notFound() from a page of the signed-in area renders here, inside the app shell (header and
 * navigation from this group's layout), not as Next's bare 404 page. Only signed-in users reach
 * it: the layout sends everyone else to /login first.
 */
export default function AppNotFound() {
  return <NotFoundPanel signedIn />;
}
