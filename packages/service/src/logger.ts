// pino options for both services: JSON for machines, pretty for a person at a
// terminal (decided by LOG_FORMAT, `auto` = by TTY), the request id on every line.
import { ConfigError } from '@numbers/config'
import { type DestinationStream, destination, type LoggerOptions } from 'pino'

export type LogFormat = 'auto' | 'json' | 'pretty'

function prettyTarget(): string | undefined {
  try {
    return import.meta.resolve('pino-pretty')
  } catch {
    return undefined
  }
}

export function loggerOptions(
  level: string,
  format: LogFormat,
  isTTY = Boolean(process.stdout.isTTY),
): LoggerOptions & { stream?: DestinationStream } {
  const wantsPretty = format === 'pretty' || (format === 'auto' && isTTY)
  const target = wantsPretty ? prettyTarget() : undefined
  if (format === 'pretty' && target === undefined) {
    throw new ConfigError(['LOG_FORMAT=pretty needs pino-pretty, a development dependency'])
  }
  return {
    level,
    ...(target
      ? {
          transport: {
            target,
            options: { translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname' },
          },
        }
      : {
          // Asynchronous writes: under load, lines written while one write is under way go
          // out together instead of one syscall each; idle, a line still leaves at once.
          // minLength 1 writes as soon as there is a byte, as 0 would, and makes flush(cb)
          // wait for the write under way (with 0 it calls back at once): runService flushes
          // before the process exits, so no line is lost or written out of order at exit.
          stream: destination({ dest: 1, sync: false, minLength: 1 }),
        }),
  }
}
