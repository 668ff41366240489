import { SearchHit } from './search.read-model';

/** `GET /v1/search`'s answer as docker clients decode it (moby `SearchResults`; both generations' fields). */
export const searchJson = (query: string, page: number, size: number, total: number, hits: SearchHit[]) => ({
  query,
  num_results: total,
  num_pages: Math.ceil(total / size),
  page,
  page_size: size,
  results: hits.map((hit) => ({
    name: hit.name,
    description: hit.description,
    star_count: hit.starCount,
    pull_count: hit.pullCount,
    is_official: hit.official,
    is_trusted: false,
    is_automated: false,
  })),
});
