// A TCP port nothing listens on right now, asked of the OS: each suite's MASTER_PORT and servers get their own, so
// test files running side by side (and services on the machine) never meet on a fixed port such as 6000.
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
