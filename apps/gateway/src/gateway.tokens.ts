/** Nest injection tokens of the gateway's collaborators. */
export const GATEWAY = {
  bus: Symbol('bus'),
  authenticator: Symbol('authenticator'),
  readYourWrites: Symbol('readYourWrites'),
  repositories: Symbol('repositories'),
  repositoryAccess: Symbol('repositoryAccess'),
  indexHeaders: Symbol('indexHeaders'),
  metrics: Symbol('metrics'),
  images: Symbol('images'),
  imageAccess: Symbol('imageAccess'),
  blobs: Symbol('blobs'),
} as const;
