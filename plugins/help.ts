// `help`: generated from the command registry, so every plugin's commands
// show up by themselves, each with all the forms it can be typed in. The
// answer is structured: a telnet user reads the table, a program (and
// `parley connect`, which learns the commands from it) gets a help frame.
import { defineCommand, definePlugin, type CommandInfo } from "parley";

export default definePlugin({
  name: "help",
  description: "list commands",
  commands: [
    defineCommand({
      name: "help",
      aliases: ["?"],
      words: ["help"],
      params: ["command?"],
      // "help msg" and "? msg" explain msg, as the help itself advertises.
      wordArgs: true,
      summary: "list the commands, or explain one",
      run(ctx, [wanted]) {
        const commands = ctx.commands();
        if (!wanted) return ctx.answer({ type: "help", commands });
        // Any form help lists: "msg", "/msg", "c", "c:" (as in c:NICK:TEXT).
        const name = formWord(wanted);
        const found = commands.find((c) => c.name === name || c.forms.some((f) => formWord(f) === name));
        if (!found) return ctx.error(`no command ${wanted} (type help for the list)`, "unknown_command");
        ctx.answer({ type: "help", commands: [found], topic: wanted });
      },
    }),
  ],
});

/** The bare word of a form: "/msg NICK TEXT" -> "msg", "c:NICK:TEXT" -> "c". */
function formWord(form: CommandInfo["forms"][number]): string {
  return form.replace(/^\//, "").split(/[\s:]/)[0]!.toLowerCase();
}
