// The user's home directory, when there is one. os.homedir() throws (ENOENT,
// uv_os_homedir) for a user with no passwd entry and no $HOME, as a
// systemd DynamicUser or a bare container user may be: callers then skip
// what lives under home instead of failing with that error.

import { homedir } from "node:os";

type Env = Readonly<Record<string, string | undefined>>;

export function homeDirectory(env: Env): string | undefined {
  if (env.HOME) return env.HOME;
  try {
    return homedir() || undefined;
  } catch {
    return undefined;
  }
}
