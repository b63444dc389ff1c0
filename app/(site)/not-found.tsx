import { NotFoundMessage } from "@/components/shell/not-found-message";

// notFound() in a page of the site: the site's header stays, from the layout.
export default function SiteNotFound() {
  return <NotFoundMessage />;
}
