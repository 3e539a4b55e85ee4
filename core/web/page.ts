// The chat page's files, embedded in the binary at build time (imported as
// text: `bun build --compile` bundles them), served from memory. Nothing is
// fetched at run time.

import html from "./page/index.html" with { type: "text" };
import script from "./page/app.js" with { type: "text" };
import style from "./page/style.css" with { type: "text" };

export interface PageFile {
  body: string;
  type: string;
}

// bun-types declares *.html as an HTML bundle; imported as text it is the file's text.
const page = html as unknown as string;

export const PAGE_FILES: ReadonlyMap<string, PageFile> = new Map([
  ["/", { body: page, type: "text/html; charset=utf-8" }],
  ["/index.html", { body: page, type: "text/html; charset=utf-8" }],
  ["/app.js", { body: script, type: "text/javascript; charset=utf-8" }],
  ["/style.css", { body: style, type: "text/css; charset=utf-8" }],
]);
