import { ArgumentsHost, Catch, RpcExceptionFilter } from '@nestjs/common';
import { Observable, throwError } from 'rxjs';

/**
 * Hands a handler's error back to the bus unchanged. Nest's default RPC filter turns anything that
 * is not an RpcException into "Internal server error", which would lose a DomainError's code; the
 * bus itself replies with the code of a DomainError and logs anything else as internal.
 */
@Catch()
export class BusExceptionFilter implements RpcExceptionFilter<unknown> {
  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    return throwError(() => exception);
  }
}
