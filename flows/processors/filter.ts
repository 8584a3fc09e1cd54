// Filter: hit or miss on urls, methods, headers and servers (AND across criteria, OR within a list).
import { CriteriaBuilder, matchCriteria } from '../criteria.ts';
import type { ProcessorDefinition } from './types.ts';

export const filterProcessor: ProcessorDefinition = {
  type: 'Filter',
  outputs: ['hit', 'miss'],
  compile(params, ctx) {
    const builder = new CriteriaBuilder(ctx.name, ctx.diag);
    for (const { key, value, path } of params) {
      switch (key) {
        case 'url':
        case 'urls':
          builder.addUrls(value, path, key === 'url');
          break;
        case 'method':
        case 'methods':
          builder.addMethods(value, path, key === 'method');
          break;
        case 'header':
        case 'headers':
          builder.addHeaders(value, path, key === 'header');
          break;
        case 'servers':
          builder.addServers(value, path);
          break;
        default:
          ctx.diag.error(
            'unknown-parameter',
            path,
            `unknown Filter parameter '${key}' (expected url, urls, method, methods, header, headers, servers)`,
          );
      }
    }
    const criteria = builder.build();
    return {
      name: ctx.name,
      type: 'Filter',
      patternCount: criteria.urls?.size ?? 0,
      step(facts) {
        const outcome = matchCriteria(criteria, facts);
        if (outcome.kind === 'undecidable') return outcome;
        return { kind: 'next', condition: outcome.kind, reason: outcome.reason };
      },
    };
  },
};
