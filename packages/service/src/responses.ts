// The answers a service's server writes. Two things are added where Node writes an answer's
// head, to every answer, for the price of a check: `Connection: close` once the server has
// stopped listening (graceful shutdown: its clients should not reuse a connection that is
// going away), and the headers given to setResponseHeaders (the web's security headers),
// unless the answer sets its own. A Fastify hook doing either runs for every request: the
// web's security-headers hook cost more than the rest of serving its page (README).
// app.inject() answers do not come through the server, so they carry neither.
import {
  type OutgoingHttpHeader,
  type OutgoingHttpHeaders,
  type Server,
  ServerResponse,
} from 'node:http'

type HeaderTable = { readonly names: readonly string[]; readonly values: readonly string[] }
const kResponseHeaders = Symbol('numbers.responseHeaders')
type ServiceServer = Server & { [kResponseHeaders]?: HeaderTable }

/** Every answer `server` writes from now on carries these headers, unless it sets its own. */
export function setResponseHeaders(server: Server, headers: Readonly<Record<string, string>>) {
  const names = Object.keys(headers).map((name) => name.toLowerCase())
  ;(server as ServiceServer)[kResponseHeaders] = { names, values: Object.values(headers) }
}

/** The ServerResponse class for the server `serverOf()` returns (made after the class). */
export function serviceResponse(serverOf: () => Server): typeof ServerResponse {
  class ServiceResponse extends ServerResponse {
    override writeHead(
      statusCode: number,
      message?: string | OutgoingHttpHeaders | OutgoingHttpHeader[],
      headers?: OutgoingHttpHeaders | OutgoingHttpHeader[],
    ): this {
      const server = serverOf() as ServiceServer
      if (!server.listening) this.setHeader('connection', 'close')
      const table = server[kResponseHeaders]
      if (table !== undefined)
        addMissing(this, typeof message === 'string' ? headers : message, table)
      return super.writeHead(statusCode, message as string, headers)
    }
  }
  // Its type names the request class as a generic the option's type leaves open.
  return ServiceResponse as unknown as typeof ServerResponse
}

/**
 * Adds the table's headers the answer has not set: into the object Fastify hands to writeHead
 * (its own header names are lower-case), or with setHeader when it hands none.
 */
function addMissing(
  response: ServerResponse,
  given: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined,
  { names, values }: HeaderTable,
): void {
  const alreadySet = response.getHeaderNames()
  const object = given === undefined || Array.isArray(given) ? undefined : given
  for (let index = 0; index < names.length; index++) {
    const name = names[index] as string
    if (alreadySet.includes(name) || object?.[name] !== undefined) continue
    if (object === undefined) response.setHeader(name, values[index] as string)
    else object[name] = values[index]
  }
}
