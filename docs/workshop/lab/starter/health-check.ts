// Lab: the HEALTHCHECK command.
// TODO: GET http://localhost:$PORT/health with a 1 s deadline; exit 0 on 200,
//       exit 1 on anything else (a bad status, a refused connection, a timeout).
process.exit(0)
