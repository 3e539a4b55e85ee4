// style.css is imported as text (core/web/page.ts): its source, served to browsers.
declare const source: string;
export default source;
