// defineCommand types a command's arguments from its params, so a plugin
// needs no non-null assertions: `tsc --noEmit` (part of npm test) checks the
// type expectations below, and the runtime checks that the router hands a
// command exactly those arguments.
import { describe, expect, test } from "bun:test";
import { defineCommand, type ArgsOf } from "../../core/plugins/api.ts";
import { parseParams, splitArgs } from "../../core/plugins/params.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const is = <T extends true>(): T => true as T;

describe("params give run its argument types", () => {
  test("required, rest, optional and none", () => {
    is<Equal<ArgsOf<readonly ["nick", "text..."]>, [string, string]>>();
    is<Equal<ArgsOf<readonly ["nick", "reason...?"]>, [string, string | undefined]>>();
    is<Equal<ArgsOf<readonly ["count?"]>, [string | undefined]>>();
    is<Equal<ArgsOf<readonly string[]>, string[]>>();
  });

  test("a command's run receives what splitArgs makes of a typed line", () => {
    const seen: unknown[] = [];
    const msg = defineCommand({
      name: "msg",
      params: ["nick", "text..."],
      summary: "",
      run(_ctx, args) {
        // Typed [string, string]: no `!` needed, and no third element.
        is<Equal<typeof args, [string, string]>>();
        const [nick, text] = args;
        // @ts-expect-error msg has two params
        void args[2];
        seen.push(nick + text);
      },
    });
    const args = splitArgs("bob hello there", parseParams(msg.params), " ");
    expect(args).toEqual(["bob", "hello there"]);
    expect(msg.params).toEqual(["nick", "text..."]);
  });
});
