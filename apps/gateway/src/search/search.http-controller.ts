import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '@dockyard/contracts';
import { Authenticator } from '../auth/authenticator';
import { GATEWAY } from '../gateway.tokens';
import { MAX_PAGE, pageNumber } from '../http/paging';
import { sendJson } from '../http/send-json';
import { searchJson } from './search-json';
import { SearchReadModel } from './search.read-model';

const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 100;
/** Longer than any repository name (255) with its namespace; a longer term can match nothing useful. */
const MAX_TERM = 300;

/** `n` as docker 1.12+ sends it (1–100); anything else is clamped, never an error (the rule). */
function pageSize(value: unknown): number {
  const number = typeof value === 'string' && /^-?[0-9]{1,10}$/.test(value) ? Number(value) : DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, number));
}

/**
 * `GET /v1/search` — `docker search` (protocol.md §1.4): `q` (docker 1.4), `n` (1.12), `page`.
 * Anonymous or Basic; `X-Docker-Token` is ignored (search needs no repository token).
 */
@Controller('v1/search')
export class SearchHttpController {
  constructor(
    @Inject(GATEWAY.authenticator) private readonly authenticator: Authenticator,
    @Inject(GATEWAY.search) private readonly search: SearchReadModel,
  ) {}

  @Get()
  async find(
    @Query('q') q: unknown,
    @Query('n') n: unknown,
    @Query('page') pageParam: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    if (q !== undefined && typeof q !== 'string') throw new DomainError('invalid', 'q must be given once');
    const term = (q ?? '').trim();
    if (term.length > MAX_TERM) throw new DomainError('invalid', `q must be at most ${MAX_TERM} characters`);
    const size = pageSize(n);
    const page = pageNumber(pageParam, 'page', 1, MAX_PAGE);
    const caller = await this.authenticator.authenticateIfAny(request);
    const { total, hits } =
      term === '' ? { total: 0, hits: [] } : await this.search.search(term, caller, (page - 1) * size, size);
    sendJson(reply, 200, searchJson(term, page, size, total, hits));
  }
}
