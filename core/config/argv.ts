// The flags of `parley chat` from its words, read the way citty reads them
// (`--x V`, `--x=V`, `--x`/`--no-x` for a boolean; the last one wins, but a
// list flag's values are joined with commas), but here, so the settings can
// be read again from the same words on a reload without citty.

export function flagsOf(argv: readonly string[], booleans: ReadonlySet<string>, lists: ReadonlySet<string> = new Set()): Map<string, string | boolean> {
  const flags = new Map<string, string | boolean>();
  const put = (name: string, value: string) => {
    const before = flags.get(name);
    flags.set(name, lists.has(name) && typeof before === "string" ? `${before},${value}` : value);
  };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") break;
    if (!word.startsWith("--")) continue;
    const [name, value] = word.slice(2).split(/=(.*)/s) as [string, string | undefined];
    if (value !== undefined) put(name, value);
    else if (booleans.has(name)) flags.set(name, true);
    else if (name.startsWith("no-") && booleans.has(name.slice(3))) flags.set(name.slice(3), false);
    else if (i + 1 < argv.length) put(name, argv[++i]!);
    else flags.set(name, "");
  }
  return flags;
}

/** Every value of a repeatable flag (a map keeps only the last). */
export function allValues(argv: readonly string[], flag: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") break;
    if (word === `--${flag}` && i + 1 < argv.length) values.push(argv[++i]!);
    else if (word.startsWith(`--${flag}=`)) values.push(word.slice(flag.length + 3));
  }
  return values;
}
