export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __dockyardPg?: { stop(): Promise<void> } }).__dockyardPg;
  if (pg) await pg.stop();
}
