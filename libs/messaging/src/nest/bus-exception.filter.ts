import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';
import { asOutage } from '../outage';

/**
 * Hands a handler's error back to the bus unchanged. Nest's default RPC filter turns anything that
 * is not an RpcException into "Internal server error", which would lose a DomainError's code; the
 * bus itself replies with the code of a DomainError and logs anything else as internal. A
 * dependency that is down (the service's database restarting) answers `unavailable`, which the
 * gateway turns into 503 with Retry-After: the client retries instead of seeing a 500.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => asOutage(exception, 'this service'));
  }
}
