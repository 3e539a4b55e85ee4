// The --data flag of the commands that read and change a server's data file
// from outside it (`parley bans`, `parley accounts`).

export const dataFlag = {
  data: {
    type: "string",
    valueHint: "FILE",
    required: true,
    description: "the server's --data file (the server may be running: changes hold at once)",
  },
} as const;
