// `help`: generated from the command registry, so every plugin's commands
// show up by themselves, each with all the forms it can be typed in.
import { definePlugin, type CommandInfo } from "parley";

export default definePlugin({
  name: "help",
  description: "list commands",
  commands: [
    {
      name: "help",
      aliases: ["?"],
      words: ["help"],
      params: ["command?"],
      summary: "list the commands, or explain one",
      run(ctx, [wanted]) {
        const commands = ctx.commands();
        if (wanted) {
          const name = wanted.replace(/^\//, "").toLowerCase();
          const found = commands.find((c) => c.name === name || c.forms.some((f) => formWord(f) === name));
          if (!found) return ctx.error(`no command ${wanted} (type help for the list)`);
          return ctx.reply([`* ${found.forms.join("  or  ")}`, `*   ${found.summary}`].join("\n"));
        }
        const rows = commands.map((c) => [c.forms.join(" | "), c.summary] as const);
        const width = Math.min(40, Math.max(...rows.map(([forms]) => forms.length)));
        ctx.reply(
          [
            "* Type a line to talk to everyone. Commands:",
            ...rows.map(([forms, summary]) => `*   ${forms.padEnd(width)}  ${summary}`),
            "* help COMMAND explains one.",
          ].join("\n"),
        );
      },
    },
  ],
});

/** The bare word of a form: "/msg NICK TEXT" -> "msg", "c:NICK:TEXT" -> "c". */
function formWord(form: CommandInfo["forms"][number]): string {
  return form.replace(/^\//, "").split(/[\s:]/)[0]!.toLowerCase();
}
