# workerd config of the edge smoke suite: tests/edge/workerd.ts fills in the
# @NAME@ placeholders and writes it beside the bundled worker.js and ca.crt.
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "example", worker = .example),
    # The default globalOutbound allows public addresses only: the test servers listen on loopback.
    # The test CA is trusted here, on the outbound network, since a Worker cannot pass a CA itself.
    (name = "net", network = (
      allow = ["public", "local"],
      tlsOptions = (trustedCertificates = [embed "ca.crt"]),
    )),
  ],
  sockets = [
    (name = "http", address = "127.0.0.1:@HTTP_PORT@", http = (), service = "main"),
    (name = "example", address = "127.0.0.1:@EXAMPLE_PORT@", http = (), service = "example"),
  ],
);

const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  # No nodejs_compat flag: the bundle must load without node: modules.
  compatibilityDate = "2025-11-01",
  globalOutbound = "net",
  bindings = [
    (name = "REDIS_HOST", text = "127.0.0.1"),
    (name = "REDIS_PORT", text = "@REDIS_PORT@"),
    (name = "REDIS_TLS_HOST", text = "@REDIS_TLS_HOST@"),
    (name = "REDIS_TLS_PORT", text = "@REDIS_TLS_PORT@"),
  ],
);

# The README's example Worker (tests/edge/example_worker.ts).
const example :Workerd.Worker = (
  modules = [(name = "example.js", esModule = embed "example.js")],
  compatibilityDate = "2025-11-01",
  globalOutbound = "net",
  bindings = [(name = "REDIS_URL", text = "@REDIS_URL@")],
);
