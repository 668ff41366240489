/**
 * The keys and tags of the hot view's entries. Keys are lookups; tags are what a read-model change
 * names (read-model-invalidation.ts maps each change to the keys and tags it touches).
 */
export const HOT = {
  /** read.repositories row by name; tagged `repository(id)`. */
  repositoryByName: (namespace: string, name: string) => `repository-name:${namespace}/${name}`,
  /** read.repository_images / read.tags of one repository; tagged `repository(id)` and `repositoryLists(id)`. */
  imageList: (repositoryId: string) => `images:${repositoryId}`,
  tags: (repositoryId: string) => `tags:${repositoryId}`,
  /** read.images row of one namespace's copy. */
  image: (namespace: string, imageId: string) => `image:${namespace}/${imageId}`,
  /** The parent chain of an image within a namespace; tagged `namespaceImages(namespace)`. */
  ancestry: (namespace: string, imageId: string) => `ancestry:${namespace}/${imageId}`,
  /** read.users row. */
  user: (username: string) => `user:${username}`,
  repository: (repositoryId: string) => `repository:${repositoryId}`,
  /** Only the repository row: what activity counters patch. */
  repositoryCounters: (repositoryId: string) => `repository-counters:${repositoryId}`,
  repositoryLists: (repositoryId: string) => `repository-lists:${repositoryId}`,
  namespaceImages: (namespace: string) => `namespace-images:${namespace}`,
};
