// The system tools the tests drive, in one place: `npm test` (through
// scripts/ensure-system-deps.ts) checks each command on PATH and installs the
// Debian package that provides it. `npm start` needs none of them.
// `npm test` adds the sbin directories to PATH first: Debian keeps some of
// these (logrotate, ip) there, and a user's PATH usually lacks them.

export interface SystemDep {
  /** The command the tests run, looked up on PATH. */
  command: string;
  /** The Debian package that provides it. */
  pkg: string;
  /** Why the tests need it. */
  why: string;
}

export const SYSTEM_DEPS: readonly SystemDep[] = [
  { command: "telnet", pkg: "telnet", why: "a real telnet client talks to the server" },
  { command: "script", pkg: "bsdutils", why: "gives telnet and parley connect a pseudo-terminal" },
  { command: "ss", pkg: "iproute2", why: "reads the TCP keepalive timer parley sets on a socket" },
  { command: "ip", pkg: "iproute2", why: "sets up the UDP tests' network namespaces" },
  { command: "setpriv", pkg: "util-linux", why: "drops root, to see parley refused a low port" },
  { command: "unshare", pkg: "util-linux", why: "makes a network namespace for each UDP test" },
  { command: "nsenter", pkg: "util-linux", why: "runs parley inside those namespaces" },
  { command: "ncat", pkg: "ncat", why: "ncat --chat, a chat server that is not parley, for connect's fallback" },
  { command: "redis-server", pkg: "redis-server", why: "the cluster tests start their own Redis" },
  { command: "openssl", pkg: "openssl", why: "makes the TLS tests' certificates" },
  { command: "plink", pkg: "putty-tools", why: "PuTTY's command-line client, in telnet and raw mode, types the client-conformance corpus" },
  { command: "socat", pkg: "socat", why: "another raw client that types the client-conformance corpus" },
  { command: "tmux", pkg: "tmux", why: "a real terminal for each client in the conformance and password-echo tests: keys in, screen out" },
  { command: "systemd-analyze", pkg: "systemd", why: "checks examples/systemd/parley.service (verify, and its security exposure); runs without systemd as PID 1" },
  { command: "logrotate", pkg: "logrotate", why: "rotates the chat log with docs/operations.md's own snippet while the server writes" },
  { command: "zsh", pkg: "zsh", why: "loads `parley completion zsh` and checks it registers with compinit" },
  { command: "fish", pkg: "fish", why: "loads `parley completion fish` and asks it for completions" },
  { command: "chromium", pkg: "chromium", why: "a real browser, driven by playwright-core, opens the web chat page (--http)" },
];
