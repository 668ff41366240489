/** Nest injection tokens of the gateway's collaborators. */
export const GATEWAY = {
  /** A Nest ClientProxy per service (BusClient over the process's bus): commands by send, activity by emit. */
  clients: {
    accounts: Symbol('accountsClient'),
    repositories: Symbol('repositoriesClient'),
    images: Symbol('imagesClient'),
    tokens: Symbol('tokensClient'),
  },
  authenticator: Symbol('authenticator'),
  readYourWrites: Symbol('readYourWrites'),
  repositories: Symbol('repositories'),
  repositoryAccess: Symbol('repositoryAccess'),
  indexHeaders: Symbol('indexHeaders'),
  metrics: Symbol('metrics'),
  images: Symbol('images'),
  imageAccess: Symbol('imageAccess'),
  blobs: Symbol('blobs'),
  search: Symbol('search'),
  stars: Symbol('stars'),
  organizations: Symbol('organizations'),
  audit: Symbol('audit'),
  auditAccess: Symbol('auditAccess'),
  auditSigningKey: Symbol('auditSigningKey'),
} as const;
