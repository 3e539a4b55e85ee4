// Architecture guard: reads the import graph of the source (a small regex
// parser over each .ts file, no madge) and checks the layering of README.md's "For developers":
//   1. no import cycle among the files of core/ and cmd/ (static imports,
//      `import type`, `export ... from` and literal dynamic `import("./x.ts")`
//      all count; a file importing itself counts too);
//   2. the layer rules between the folders of core/, cmd/ and plugins/;
//   3. a sanity check that the parser really found the graph;
//   4. cmd/ owns the process: no file of core/ exits it (process.exit,
//      process.exitCode, process.abort) or installs a signal handler (core
//      returns what stops it, cmd/ ties the signals to that).
// Each failure prints what to fix: a cycle as `a.ts -> b.ts -> a.ts`, a layer
// violation as `file -> imported file`, a process call as `file:line: call`
// (repo-relative paths).
import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
/** The top-level folders whose .ts files the graph is built from. */
const SOURCE_DIRS = ["core", "cmd", "plugins"];

// ---------------------------------------------------------------- parser

type ImportRecord = {
  /** Repo-relative path of the importing file. */
  from: string;
  /** The specifier as written: "./x.ts", "node:fs", "parley", ... */
  spec: string;
  /** Repo-relative path of the imported file, for relative specifiers. */
  target: string | null;
  /** `import type ...` / `export type ... from`: erased at run time. */
  typeOnly: boolean;
  kind: "static" | "dynamic";
  line: number;
};

const REGEX_AFTER_WORD = new Set([
  "return", "typeof", "instanceof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "yield", "await",
]);

/**
 * The source with everything that is not code blanked to spaces (newlines
 * kept, so offsets and line numbers stay valid): comments, template-literal
 * text (code inside `${...}` is kept), regex literals and the contents of
 * string literals (their quotes are kept, so `"./x.ts"` becomes `"      "`).
 * The import regexes run over this text; specifiers are read back from the
 * original at the same offsets.
 */
function blankNonCode(src: string): string {
  const out = src.split("");
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < src.length; k++) if (out[k] !== "\n") out[k] = " ";
  };
  const n = src.length;
  let i = 0;
  let inTemplate = false; // scanning template text (not code)
  const exprDepth: number[] = []; // brace depth of each open `${` expression
  let prevSig = ""; // last significant code character (for the regex-or-divide guess)
  let prevWord = "";

  while (i < n) {
    const c = src[i]!;
    if (inTemplate) {
      if (c === "\\") { blank(i, i + 2); i += 2; continue; }
      if (c === "`") { inTemplate = false; prevSig = "a"; prevWord = ""; i++; continue; }
      if (c === "$" && src[i + 1] === "{") { exprDepth.push(0); inTemplate = false; prevSig = "{"; prevWord = ""; i += 2; continue; }
      blank(i, i + 1); i++; continue;
    }
    // code
    if (c === "/" && src[i + 1] === "/") {
      const end = src.indexOf("\n", i);
      const stop = end < 0 ? n : end;
      blank(i, stop); i = stop; continue;
    }
    if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      blank(i, stop); i = stop; continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < n && src[j] !== c && src[j] !== "\n") j += src[j] === "\\" ? 2 : 1;
      blank(i + 1, j); i = j + 1; prevSig = "a"; prevWord = ""; continue;
    }
    if (c === "`") { inTemplate = true; i++; continue; }
    if (c === "/") {
      const regexHere = prevSig === "" || "(,=:[!&|?{};+-*%<>~^".includes(prevSig) || REGEX_AFTER_WORD.has(prevWord);
      if (regexHere) {
        let j = i + 1;
        let inClass = false;
        while (j < n && src[j] !== "\n") {
          const d = src[j]!;
          if (d === "\\") { j += 2; continue; }
          if (d === "[") inClass = true;
          else if (d === "]") inClass = false;
          else if (d === "/" && !inClass) break;
          j++;
        }
        blank(i + 1, j); i = j + 1; prevSig = "a"; prevWord = ""; continue;
      }
    }
    if (exprDepth.length > 0) {
      if (c === "{") exprDepth[exprDepth.length - 1]!++;
      else if (c === "}") {
        if (exprDepth[exprDepth.length - 1] === 0) { exprDepth.pop(); inTemplate = true; i++; continue; }
        exprDepth[exprDepth.length - 1]!--;
      }
    }
    if (/[\w$]/.test(c)) {
      let j = i;
      while (j < n && /[\w$]/.test(src[j]!)) j++;
      prevWord = src.slice(i, j); prevSig = "a"; i = j; continue;
    }
    if (!/\s/.test(c)) { prevSig = c; prevWord = ""; }
    i++;
  }
  return out.join("");
}

// `import ... from "x"` / `export ... from "x"` at the start of a statement
// (start of a line or after `;`), possibly spread over several lines.
const STATIC_FROM = /(?:^|[;\n])[ \t]*(import|export)\b(\s+type\b)?[\w\s{},*$]*?\bfrom\s*(["'])([^"'\n]*)\3/dg;
// `import "x"` (side effect only).
const STATIC_BARE = /(?:^|[;\n])[ \t]*import\s*(["'])([^"'\n]*)\1/dg;
// `import("x")` / `await import("x")` with a literal string.
const DYNAMIC = /(?<![\w$.])import\s*\(\s*(["'])([^"'\n]*)\1\s*[,)]/dg;

function lineAt(src: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset; k++) if (src.charCodeAt(k) === 10) line++;
  return line;
}

/** Repo-relative target of a relative specifier; null when it is not a relative .ts import. */
function resolveRelative(root: string, from: string, spec: string): string | null {
  if (!spec.startsWith("./") && !spec.startsWith("../")) return null;
  const joined = posix.normalize(posix.join(posix.dirname(from), spec));
  if (joined.endsWith(".ts")) return joined;
  if (posix.extname(joined) !== "") return null; // package.json and other non-.ts targets: ignored
  for (const guess of [`${joined}.ts`, `${joined}/index.ts`]) if (existsSync(join(root, guess))) return guess;
  return null;
}

/** Every import of one file. `from` is its repo-relative path. */
function parseImports(root: string, from: string, src: string): ImportRecord[] {
  const code = blankNonCode(src);
  const found: ImportRecord[] = [];
  const seen = new Set<number>(); // offset of each specifier already recorded
  const add = (m: RegExpExecArray, group: number, typeOnly: boolean, kind: ImportRecord["kind"]) => {
    const [start, end] = m.indices![group]!;
    if (seen.has(start)) return;
    seen.add(start);
    const spec = src.slice(start, end);
    found.push({ from, spec, target: resolveRelative(root, from, spec), typeOnly, kind, line: lineAt(src, start) });
  };
  for (const m of code.matchAll(STATIC_FROM)) add(m, 4, m[2] !== undefined, "static");
  for (const m of code.matchAll(STATIC_BARE)) add(m, 2, false, "static");
  for (const m of code.matchAll(DYNAMIC)) add(m, 2, false, "dynamic");
  return found.sort((a, b) => a.line - b.line);
}

type Scan = { files: string[]; imports: ImportRecord[] };

/** Walks the source folders of `root` and parses every .ts file. */
function scan(root: string): Scan {
  const files: string[] = [];
  for (const dir of SOURCE_DIRS) {
    if (!existsSync(join(root, dir))) continue;
    for (const entry of readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })) {
      const rel = posix.join(dir, entry.split("\\").join("/"));
      if (rel.endsWith(".ts") && !rel.split("/").includes("node_modules")) files.push(rel);
    }
  }
  files.sort();
  const imports = files.flatMap((f) => parseImports(root, f, readFileSync(join(root, f), "utf8")));
  return { files, imports };
}

// ---------------------------------------------------------------- cycles

type Graph = Map<string, Set<string>>;

function buildGraph(scanned: Scan, keep: (file: string) => boolean): Graph {
  const graph: Graph = new Map();
  for (const f of scanned.files) if (keep(f)) graph.set(f, new Set());
  for (const imp of scanned.imports) {
    if (imp.target !== null && graph.has(imp.from) && graph.has(imp.target)) graph.get(imp.from)!.add(imp.target);
  }
  return graph;
}

/** Tarjan's strongly connected components. */
function stronglyConnected(graph: Graph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      out.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

const MAX_CYCLES_PER_COMPONENT = 200;

/**
 * Every elementary cycle of the graph as a chain `a.ts -> b.ts -> a.ts`
 * (self-import: `a.ts -> a.ts`), grouped by strongly connected component.
 * Each chain starts at its alphabetically first file; at most
 * MAX_CYCLES_PER_COMPONENT chains per component (`truncated` says so).
 */
function findCycles(graph: Graph): { files: string[]; chains: string[]; truncated: boolean }[] {
  const result: { files: string[]; chains: string[]; truncated: boolean }[] = [];
  for (const component of stronglyConnected(graph)) {
    const only = component[0]!;
    if (component.length === 1 && !graph.get(only)!.has(only)) continue;
    const members = new Set(component);
    const chains: string[] = [];
    let truncated = false;
    // For each start s (in order), walk simple paths through members after s.
    for (let si = 0; si < component.length && !truncated; si++) {
      const s = component[si]!;
      const allowed = new Set(component.slice(si));
      const path = [s];
      const onPath = new Set([s]);
      const walk = (v: string) => {
        for (const w of [...graph.get(v)!].sort()) {
          if (truncated || !members.has(w) || !allowed.has(w)) continue;
          if (w === s) {
            chains.push([...path, s].join(" -> "));
            if (chains.length >= MAX_CYCLES_PER_COMPONENT) truncated = true;
          } else if (!onPath.has(w)) {
            path.push(w);
            onPath.add(w);
            walk(w);
            path.pop();
            onPath.delete(w);
          }
        }
      };
      walk(s);
    }
    chains.sort((a, b) => a.split(" -> ").length - b.split(" -> ").length || a.localeCompare(b));
    result.push({ files: component, chains, truncated });
  }
  return result.sort((a, b) => a.files[0]!.localeCompare(b.files[0]!));
}

function cycleReport(cycles: ReturnType<typeof findCycles>): string {
  const lines = [`${cycles.length} import cycle group(s) among core/ and cmd/:`];
  for (const c of cycles) {
    lines.push("", `files in the cycle (${c.files.length}): ${c.files.join(", ")}`);
    for (const chain of c.chains) lines.push(`  ${chain}`);
    if (c.truncated) lines.push(`  ... (more than ${MAX_CYCLES_PER_COMPONENT} cycles; only the first are shown)`);
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------- layers

/** The folder group a repo-relative file belongs to: "core/wire", "cmd", "plugins", ... */
function groupOf(file: string): string {
  const parts = file.split("/");
  if (parts[0] === "core" && parts.length > 2) return `core/${parts[1]}`;
  if (parts[0] === "cmd" || parts[0] === "plugins") return parts[0];
  return parts[0] === "core" ? "core" : "outside";
}

/** In-repo .ts imports (relative, resolved) of the files of one group. */
function edgesOf(scanned: Scan, group: string | ((g: string) => boolean)) {
  const match = typeof group === "string" ? (g: string) => g === group : group;
  return scanned.imports.filter((i) => i.target !== null && match(groupOf(i.from)));
}

function violationLines(imps: ImportRecord[], show: (i: ImportRecord) => string = (i) => i.target!): string[] {
  return [...new Set(imps.map((i) => `${i.from} -> ${show(i)}`))].sort();
}

function assertNone(rule: string, lines: string[]) {
  if (lines.length > 0) throw new Error(`${rule}: ${lines.length} violation(s)\n${lines.join("\n")}`);
}

/** Imports of `group` into any of `forbidden`. */
function forbiddenImports(scanned: Scan, group: string, forbidden: string[], allow: (i: ImportRecord) => boolean = () => false) {
  return edgesOf(scanned, group).filter((i) => forbidden.includes(groupOf(i.target!)) && !allow(i));
}

// ---------------------------------------------------------------- the process

// `process.exit`, `process.on(` and their kin, in code (comments and strings blanked).
const PROCESS_CALL = /(?<![\w$])process\s*\.\s*(exit|reallyExit|exitCode|abort|on|once|addListener|prependListener|prependOnceListener)(?![\w$])(\s*\(\s*(["'`]?))?/dg;
const LISTENERS = new Set(["on", "once", "addListener", "prependListener", "prependOnceListener"]);

/**
 * Where one file takes the process over, as `file:line: call`: every exit
 * (process.exit, process.exitCode, process.abort), and every listener on
 * process for a signal. A listener whose event is not a literal (a loop over
 * ["SIGTERM", "SIGHUP"]) counts: it may be a signal; a literal event that is
 * not a signal ("exit", "warning") does not.
 */
function processTakeovers(file: string, src: string): string[] {
  const code = blankNonCode(src);
  const found: string[] = [];
  for (const m of code.matchAll(PROCESS_CALL)) {
    const name = m[1]!;
    if (LISTENERS.has(name)) {
      if (m[2] === undefined) continue; // `process.on` not called here (nothing installed)
      const quote = m[3];
      if (quote) {
        const start = m.indices![3]![1];
        const event = src.slice(start, src.indexOf(quote, start));
        if (!event.startsWith("SIG")) continue;
      }
    }
    const at = m.index!;
    const lineEnd = src.indexOf("\n", at);
    found.push(`${file}:${lineAt(src, at)}: ${src.slice(at, lineEnd < 0 ? undefined : lineEnd).trim()}`);
  }
  return found;
}

// ---------------------------------------------------------------- the repo

const repo = scan(REPO);

describe("import graph of the source", () => {
  test("the parser finds the graph (so the rules below cannot pass vacuously)", () => {
    const coreFiles = repo.files.filter((f) => f.startsWith("core/"));
    expect(coreFiles.length).toBeGreaterThan(50);
    expect(repo.files.some((f) => f.startsWith("cmd/"))).toBe(true);
    expect(repo.files.some((f) => f.startsWith("plugins/"))).toBe(true);
    const inRepoEdges = repo.imports.filter((i) => i.target !== null);
    expect(inRepoEdges.length).toBeGreaterThan(50);
    if (repo.files.includes("core/chat/session.ts")) {
      expect(inRepoEdges.filter((i) => i.from === "core/chat/session.ts").length).toBeGreaterThan(0);
    }
    // Every plugin file imports something (at least "parley").
    for (const f of repo.files.filter((f) => f.startsWith("plugins/"))) {
      expect({ file: f, imports: repo.imports.filter((i) => i.from === f).length > 0 }).toEqual({ file: f, imports: true });
    }
  });

  test("no import cycle among the files of core/ and cmd/", () => {
    const graph = buildGraph(repo, (f) => f.startsWith("core/") || f.startsWith("cmd/"));
    const cycles = findCycles(graph);
    if (cycles.length > 0) throw new Error(cycleReport(cycles));
  });
});

describe("layer rules (README.md, For developers)", () => {
  test("core/base imports nothing in the repo but core/base", () => {
    assertNone("core/base imports outside core/base", violationLines(edgesOf(repo, "core/base").filter((i) => groupOf(i.target!) !== "core/base")));
  });

  test("core/wire imports nothing above it (only core/wire and core/base)", () => {
    const ok = ["core/wire", "core/base"];
    assertNone("core/wire imports above it", violationLines(edgesOf(repo, "core/wire").filter((i) => !ok.includes(groupOf(i.target!)))));
  });

  test("core/plugins never imports core/chat, core/udp, core/backplane or core/client (built-ins only via core/plugins/builtins.ts)", () => {
    const bad = forbiddenImports(
      repo,
      "core/plugins",
      ["core/chat", "core/udp", "core/backplane", "core/client", "plugins"],
      (i) => i.from === "core/plugins/builtins.ts" && groupOf(i.target!) === "plugins",
    );
    assertNone("core/plugins imports a layer above it", violationLines(bad));
  });

  test("core/udp never imports core/chat, core/backplane or core/client", () => {
    assertNone("core/udp imports a forbidden layer", violationLines(forbiddenImports(repo, "core/udp", ["core/chat", "core/backplane", "core/client"])));
  });

  test("core/client never imports core/chat, core/plugins, core/backplane, core/udp or core/store", () => {
    const bad = forbiddenImports(repo, "core/client", ["core/chat", "core/plugins", "core/backplane", "core/udp", "core/store"]);
    assertNone("core/client imports a server-side layer", violationLines(bad));
  });

  test("core/store never imports core/chat, core/udp, core/client or core/backplane, and of core/plugins only the API it implements", () => {
    const bad = forbiddenImports(repo, "core/store", ["core/chat", "core/plugins", "core/udp", "core/client", "core/backplane"]).filter((i) => i.target !== "core/plugins/api.ts");
    assertNone("core/store imports a layer above it", violationLines(bad));
  });

  test("nothing in core/ imports cmd/", () => {
    const bad = edgesOf(repo, (g) => g.startsWith("core")).filter((i) => groupOf(i.target!) === "cmd");
    assertNone("core/ imports cmd/", violationLines(bad));
  });

  test('built-in plugins (plugins/) import nothing but "parley"', () => {
    const bad = repo.imports.filter(
      (i) => groupOf(i.from) === "plugins" && (i.spec.startsWith(".") || (!i.typeOnly && i.spec !== "parley")),
    );
    assertNone('plugins/ imports something other than "parley"', violationLines(bad, (i) => i.target ?? i.spec));
  });
});

describe("the process is cmd/'s (README.md, For developers)", () => {
  test("no file of core/ exits the process or installs a signal handler", () => {
    const core = repo.files.filter((f) => f.startsWith("core/"));
    const found = core.flatMap((f) => processTakeovers(f, readFileSync(join(REPO, f), "utf8")));
    assertNone("core/ takes over the process (return a stop, an exit code or an error; cmd/ exits and handles signals)", found);
  });

  test("the check finds exits and signal handlers, and not what only looks like them", () => {
    const src = [
      "process.exit(1);",
      "process . exitCode = 2;",
      'process.on("SIGTERM", stop);',
      "process.once('SIGHUP', stop);",
      'for (const signal of ["SIGTERM", "SIGHUP"] as const) process.on(signal, () => void quit());',
      "process.addListener(`SIGINT`, stop);",
      "globalThis.process.exit(0);",
      // not a takeover:
      '// process.exit(1) in a comment',
      'const s = "process.exit(1)";',
      'process.on("exit", flush);',
      'process.stdout.on("error", quiet);',
      "myprocess.exit(1);",
      "const p = process.exitedAlready;",
      "",
    ].join("\n");
    expect(processTakeovers("core/x.ts", src).map((l) => l.split(": ")[0])).toEqual([
      "core/x.ts:1",
      "core/x.ts:2",
      "core/x.ts:3",
      "core/x.ts:4",
      "core/x.ts:5",
      "core/x.ts:6",
      "core/x.ts:7",
    ]);
  });
});

// ---------------------------------------------------------------- the checker itself

describe("the checker finds a cycle it is shown", () => {
  const graphOf = (edges: Record<string, string[]>): Graph =>
    new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));

  test("cycles, several cycles in one component and a self-import, on an in-memory graph", () => {
    const cycles = findCycles(
      graphOf({
        "a.ts": ["b.ts"],
        "b.ts": ["c.ts", "a.ts"],
        "c.ts": ["a.ts", "d.ts"],
        "d.ts": ["d.ts"],
        "e.ts": ["f.ts"],
        "f.ts": [],
      }),
    );
    expect(cycles.map((c) => c.chains)).toEqual([
      ["a.ts -> b.ts -> a.ts", "a.ts -> b.ts -> c.ts -> a.ts"],
      ["d.ts -> d.ts"],
    ]);
    expect(cycleReport(cycles)).toContain("a.ts -> b.ts -> c.ts -> a.ts");
  });

  test("no cycle in an acyclic graph", () => {
    expect(findCycles(graphOf({ "a.ts": ["b.ts", "c.ts"], "b.ts": ["c.ts"], "c.ts": [] }))).toEqual([]);
  });

  test("the parser, on a tiny synthetic repo in a temp dir", () => {
    const tmp = mkdtempSync(join(tmpdir(), "parley-architecture-"));
    try {
      checkSyntheticRepo(tmp);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

function checkSyntheticRepo(tmp: string) {
  {
    const files: Record<string, string> = {
      "core/x/a.ts": 'import type { B } from "./b.ts";\nexport const a = 1;\n',
      "core/x/b.ts": 'export { a } from "./a.ts";\nexport type B = number;\n',
      // Nothing here is a real import.
      "core/x/c.ts": [
        '// import { a } from "./a.ts";',
        '/* import "./a.ts";',
        '   export * from "./b.ts"; */',
        "const starter = (name: string) => `// ${name}",
        'import { definePlugin } from "./a.ts";',
        'const x = import("./b.ts");',
        "${name ? `inner ${name}` : \"\"} \\` still template",
        "`;",
        'const s = "; import \'./a.ts\'";',
        "const re = /[\"'`]/g;",
        "export const c = starter(s) + re.source;",
        "",
      ].join("\n"),
      "core/x/d.ts": [
        'import pkg from "../../package.json" with { type: "json" };',
        "import {",
        "  a,",
        "  type B,",
        '} from "./a.ts";',
        'import "node:fs";',
        "export async function later() {",
        '  return (await import("./e.ts")).e + pkg.version + a;',
        "}",
        "",
      ].join("\n"),
      "core/x/e.ts": 'export const e = 1;\nexport const back = () => import("./d.ts");\n',
      "cmd/self.ts": 'import "./self.ts";\n',
      "plugins/p.ts": 'import { definePlugin } from "parley";\nimport { x } from "node:crypto";\nimport { y } from "../core/x/a.ts";\nimport type { Z } from "bun";\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(join(tmp, posix.dirname(rel)), { recursive: true });
      writeFileSync(join(tmp, rel), text);
    }
    const scanned = scan(tmp);
    expect(scanned.files).toEqual(Object.keys(files).sort());
    const edges = (f: string) => scanned.imports.filter((i) => i.from === f).map((i) => `${i.kind}${i.typeOnly ? " type" : ""} ${i.spec} => ${i.target}`);
    expect(edges("core/x/a.ts")).toEqual(["static type ./b.ts => core/x/b.ts"]);
    expect(edges("core/x/b.ts")).toEqual(["static ./a.ts => core/x/a.ts"]);
    expect(edges("core/x/c.ts")).toEqual([]);
    expect(edges("core/x/d.ts")).toEqual([
      "static ../../package.json => null",
      "static ./a.ts => core/x/a.ts",
      "static node:fs => null",
      "dynamic ./e.ts => core/x/e.ts",
    ]);
    const cycles = findCycles(buildGraph(scanned, (f) => f.startsWith("core/") || f.startsWith("cmd/")));
    expect(cycles.flatMap((c) => c.chains)).toEqual([
      "cmd/self.ts -> cmd/self.ts",
      "core/x/a.ts -> core/x/b.ts -> core/x/a.ts",
      "core/x/d.ts -> core/x/e.ts -> core/x/d.ts",
    ]);
    const pluginBad = scanned.imports.filter(
      (i) => groupOf(i.from) === "plugins" && (i.spec.startsWith(".") || (!i.typeOnly && i.spec !== "parley")),
    );
    expect(violationLines(pluginBad, (i) => i.target ?? i.spec)).toEqual(["plugins/p.ts -> core/x/a.ts", "plugins/p.ts -> node:crypto"]);
  }
}
