// IRC's /me: an action, shown as `* NICK waves`.
import { definePlugin } from "parley";

export default definePlugin({
  name: "me",
  description: "actions",
  commands: [
    {
      name: "me",
      params: ["action..."],
      summary: "show ACTION as something you do",
      run(ctx, [action]) {
        ctx.emote(action!);
      },
    },
  ],
});
