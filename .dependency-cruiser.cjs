/**
 * Layer rules (STYLE.md): domain code is plain TypeScript; apps do not import each other (only the
 * standalone app composes them); libs never import apps; no cycles.
 */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-framework-free',
      severity: 'error',
      comment: 'apps/*/src/domain imports nothing of Nest, TypeORM, pg, kafkajs, Fastify or node built-ins',
      from: { path: '^apps/[^/]+/src/domain/' },
      to: { path: 'node_modules/(@nestjs|typeorm|pg|kafkajs|fastify|@node-rs)/|^(fs|crypto|net|http|child_process)$' },
    },
    {
      name: 'domain-imports-only-domain-and-contracts',
      severity: 'error',
      from: { path: '^apps/([^/]+)/src/domain/' },
      to: { path: '^(apps|libs)/', pathNot: ['^apps/$1/src/domain/', '^libs/contracts/'] },
    },
    {
      name: 'no-app-imports-another-app',
      severity: 'error',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/standalone/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^dist/|\\.spec\\.ts$)' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
