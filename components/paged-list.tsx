"use client";

import { type InfiniteData, type QueryClient, type QueryKey, useInfiniteQuery } from "@tanstack/react-query";
import { apiFetch } from "@/components/api-fetch";
import { Button } from "@/components/ui/button";

// A list the API pages with `?limit=&cursor=` (`{ items, next_cursor }`), read a page at a time behind "Show more".

export type ListPage<T> = { items: T[]; next_cursor: string | null };
type Pages<T> = InfiniteData<ListPage<T>, string | null>;

/** The pages read so far, and their items as one list (undefined until the first page is in). */
export function usePagedList<T>(queryKey: QueryKey, path: string, limit: number, initial?: ListPage<T>) {
  const query = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam }) => apiFetch<ListPage<T>>(`${path}?limit=${limit}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ""}`),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    initialData: initial ? { pages: [initial], pageParams: [null] } : undefined,
  });
  return { query, items: query.data?.pages.flatMap((p) => p.items) };
}

/** Takes the items `drop` picks out of every page held (an optimistic removal); returns the pages as they were. */
export function dropFromPages<T>(qc: QueryClient, queryKey: QueryKey, drop: (item: T) => boolean): Pages<T> | undefined {
  const before = qc.getQueryData<Pages<T>>(queryKey);
  qc.setQueryData<Pages<T>>(queryKey, (d) => (d ? { ...d, pages: d.pages.map((p) => ({ ...p, items: p.items.filter((i) => !drop(i)) })) } : d));
  return before;
}

export function ShowMore({ query }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> } }) {
  if (!query.hasNextPage) return null;
  return (
    <Button type="button" variant="secondary" onClick={() => void query.fetchNextPage()} disabled={query.isFetchingNextPage}>
      {query.isFetchingNextPage ? "Loading..." : "Show more"}
    </Button>
  );
}
