// IRC's /me: an action, shown as `* NICK waves`.
import { defineCommand, definePlugin } from "parley";

export default definePlugin({
  name: "me",
  description: "actions",
  commands: [
    defineCommand({
      name: "me",
      params: ["action..."],
      summary: "show ACTION as something you do",
      run(ctx, [action]) {
        ctx.emote(action);
      },
    }),
  ],
});
