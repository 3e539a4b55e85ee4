// The parley chat page: a JSON-lines client (docs/protocol.md) over the
// /ws WebSocket, one frame per message. What the server sends is shown as
// text (textContent) and never parsed as HTML. What is typed goes as `line`
// frames, so commands work exactly as in telnet.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const els = {
    status: $("status"),
    joinView: $("join-view"),
    chatView: $("chat-view"),
    join: $("join"),
    nick: $("nick"),
    password: $("password"),
    passwordField: $("password-field"),
    joinError: $("join-error"),
    motd: $("motd"),
    log: $("log"),
    say: $("say"),
    input: $("input"),
    users: $("users"),
    count: $("count"),
  };

  const MAX_LINES = 2000;
  // How a user is connected, as /whois says it (as core/wire/render.ts does).
  const CLIENTS = new Map([
    ["text", ", in text (telnet, nc, PuTTY)"],
    ["json", ", in JSON lines (parley connect or a program)"],
    ["websocket", ", over a WebSocket (the web page or a program)"],
  ]);
  const NICK_KEY = "parley.nick";
  const TITLE = "parley";

  let ws = null;
  let nextId = 1;
  let me = ""; // our nick once joined
  let here = ""; // the room our lines go to (docs/protocol.md: rooms)
  let wanted = ""; // the nick to (re)join with
  let password = ""; // kept in memory only, to rejoin after a restart
  let needsPassword = false;
  let joined = false;
  let joining = false;
  let quitting = false;
  let retry = 0;
  let retryTimer = 0;
  let rejoining = false; // reconnected after being in the room: a nick still taken is our old connection
  let takenTries = 0;
  let dismissed = ""; // why the server put us out (a kick, the idle timeout): no automatic rejoin
  let unread = 0;
  let users = [];
  const sent = [];
  let recall = -1;

  // -- the connection ---------------------------------------------------------

  function connect() {
    clearTimeout(retryTimer);
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    status("connecting…");
    const socket = new WebSocket(`${scheme}//${location.host}/ws`);
    ws = socket;
    socket.onopen = () => send({ type: "hello", client: "parley-web", version: 1 });
    socket.onmessage = (event) => {
      if (socket !== ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return; // not JSON: nothing this page reads
      }
      if (frame && typeof frame === "object") handle(frame);
    };
    socket.onclose = () => {
      if (socket !== ws) return;
      ws = null;
      const was = joined;
      joined = false;
      joining = false;
      if (quitting) return status("disconnected. Reload the page to come back.");
      if (dismissed) {
        // Put out by the server (a kick, the idle timeout): joining again is the person's choice.
        const why = dismissed;
        dismissed = "";
        status("disconnected");
        showJoin(why.replace(/^\* /, ""));
        return;
      }
      rejoining = rejoining || was;
      // Reconnect with the same nick: the server may be restarting.
      const wait = Math.min(15, 2 ** retry++);
      status(`disconnected; reconnecting in ${wait}s…`);
      if (was) show({ type: "system", text: `* disconnected from the server; reconnecting as ${wanted}…` });
      retryTimer = setTimeout(connect, wait * 1000);
    };
  }

  function send(frame) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  function status(text) {
    els.status.textContent = text;
  }

  // -- frames from the server --------------------------------------------------

  function handle(f) {
    // Our own joins and switches move us: where our lines go, and what needs the room in front.
    if (typeof f.room === "string" && (((f.type === "joined" || f.type === "join") && f.self === true) || f.type === "switch")) here = f.room;
    if (f.type === "part" && f.self === true && typeof f.back === "string") here = f.back;
    switch (f.type) {
      case "welcome":
        return welcome(f);
      case "joined":
        if (f.self === true) return enteredRoom(f);
        addUser(str(f.nick));
        return show(f);
      case "left":
        removeUser(str(f.nick));
        return show(f);
      case "renamed":
        renameUser(str(f.from), str(f.to));
        if (str(f.from) === me) {
          me = str(f.to);
          wanted = me;
          remember(me);
        }
        return show(f);
      case "list":
        if (Array.isArray(f.users)) setUsers(f.users.map((u) => str(u && u.nick)));
        return show(f);
      case "system":
        if (!joined && str(f.text) === "password accepted") return afterPassword();
        if (/^\* You have been (disconnected|idle)/.test(str(f.text))) dismissed = str(f.text);
        return show(f);
      case "error":
        if (!joined) return joinFailed(f);
        return show(f);
      case "pong":
        return;
      default:
        return show(f);
    }
  }

  function welcome(f) {
    retry = 0;
    if (f.password === true) {
      // Behind a password: a second welcome, with the room, follows the right one.
      needsPassword = true;
      els.passwordField.hidden = false;
      status("connected; this server has a password");
      if (wanted && password) return sendPassword();
      return showJoin();
    }
    els.motd.textContent = typeof f.motd === "string" ? f.motd : "";
    const n = Number(f.online) || 0;
    status(`connected: ${n === 1 ? "1 person" : `${n} people`} online`);
    if (wanted && (!needsPassword || password)) return sendNick();
    showJoin();
  }

  function sendPassword() {
    joining = true;
    send({ type: "password", password, id: nextId++ });
  }

  function afterPassword() {
    // The second welcome (with online and motd) comes next, and sends the nick.
    needsPassword = false;
  }

  function sendNick() {
    joining = true;
    send({ type: "nick", nick: wanted, id: nextId++ });
  }

  function joinFailed(f) {
    const code = str(f.code);
    joining = false;
    if (code === "bad_password") {
      password = "";
      els.password.value = "";
      showJoin(str(f.message));
      return els.password.focus();
    }
    if (code === "nick_taken" && rejoining && wanted && takenTries++ < 10) {
      // After a restart our old connection may still hold the nick for a moment.
      retryTimer = setTimeout(sendNick, 2000);
      return status(`${wanted} is still taken; trying again…`);
    }
    showJoin(str(f.message) || code);
    els.nick.focus();
  }

  function enteredRoom(f) {
    const first = me === "";
    joined = true;
    joining = false;
    rejoining = false;
    takenTries = 0;
    me = str(f.nick);
    wanted = me;
    remember(me);
    setUsers(Array.isArray(f.users) ? f.users.map(str) : [me]);
    els.joinView.hidden = true;
    els.chatView.hidden = false;
    status(`joined as ${me}`);
    show(f);
    if (first) els.input.focus();
  }

  function showJoin(error = "") {
    els.joinError.textContent = error;
    els.chatView.hidden = true;
    els.joinView.hidden = false;
    if (!els.nick.value && wanted) els.nick.value = wanted;
    if (document.activeElement === document.body || !document.activeElement) (needsPassword && !els.password.value ? els.password : els.nick).focus();
  }

  // -- the user list -----------------------------------------------------------

  function setUsers(list) {
    users = list.filter((n) => n);
    drawUsers();
  }
  function addUser(nick) {
    if (nick && !users.includes(nick)) users.push(nick);
    drawUsers();
  }
  function removeUser(nick) {
    users = users.filter((n) => n !== nick);
    drawUsers();
  }
  function renameUser(from, to) {
    users = users.map((n) => (n === from ? to : n));
    drawUsers();
  }
  function drawUsers() {
    els.count.textContent = `(${users.length})`;
    const items = users.map((nick) => {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = nick;
      if (nick === me) {
        button.classList.add("you");
        button.setAttribute("aria-label", `${nick} (you)`);
      } else button.setAttribute("aria-label", `send ${nick} a private message`);
      button.addEventListener("click", () => {
        els.input.value = `/msg ${nick} `;
        els.input.focus();
      });
      li.append(button);
      return li;
    });
    els.users.replaceChildren(...items);
  }

  // -- showing lines (as core/wire/render.ts renders them for telnet) ---------------

  /** [{style, before, nick, after}] for a frame. */
  function linesOf(f) {
    const sys = (text) => ({ style: "system", after: text });
    const block = (v) => String(v ?? "").split("\n");
    switch (f.type) {
      case "welcome": {
        if (f.online === undefined) return [sys("Welcome to parley!")];
        const n = Number(f.online) || 0;
        const who = n === 0 ? "no one else is here yet" : n === 1 ? "1 person online" : `${n} people online`;
        return [sys(`Welcome to parley! ${who}.`), ...(f.motd ? block(f.motd).map(sys) : [])];
      }
      case "joined":
        if (f.self === true) {
          const list = Array.isArray(f.users) ? f.users.map(str) : [str(f.nick)];
          return [sys(`* Hi ${str(f.nick)}! Online (${list.length}): ${list.join(", ")}`), sys("* Type a line to talk to everyone, or help for commands.")];
        }
        return [{ style: "system", before: "* ", nick: str(f.nick), after: ` joined (${Number(f.online) || 0} online)` }];
      case "left":
        return [{ style: "system", before: "* ", nick: str(f.nick), after: ` left (${str(f.reason)})` }];
      case "renamed":
        if (str(f.from) === me || str(f.to) === me) return [sys(`* you are now ${str(f.to)}`)];
        return [{ style: "system", before: "* ", nick: str(f.from), after: ` is now ${str(f.to)}` }];
      case "said":
        if (f.action === true) return [{ style: "chat", before: "** ", nick: str(f.from), after: ` ${str(f.text)}` }];
        return [{ style: "chat", nick: str(f.from), after: `: ${str(f.text)}` }];
      case "private":
        if (str(f.from) === me && str(f.to) !== me) return [{ style: "private", before: "[private] you -> ", nick: str(f.to), after: `: ${str(f.text)}` }];
        return [{ style: "private", before: "[private] ", nick: str(f.from), after: `: ${str(f.text)}` }];
      case "list": {
        const list = Array.isArray(f.users) ? f.users.filter((u) => u && typeof u === "object") : [];
        const away = (u) => (typeof u.away === "string" ? `  (away${u.away ? `: ${str(u.away)}` : ""})` : "");
        return [sys(`* ${list.length} online:`), ...list.map((u) => ({ style: "system", before: "*   ", nick: str(u.nick), after: `  idle ${idle(Number(u.idle) || 0)}${away(u)}${str(u.nick) === me ? "  (you)" : ""}` }))];
      }
      case "help": {
        const list = Array.isArray(f.commands) ? f.commands.filter((c) => c && typeof c === "object") : [];
        const row = (c) => sys(`*   ${(Array.isArray(c.forms) ? c.forms.map(str) : [`/${str(c.name)}`]).join(" | ")}  ${str(c.summary)}`);
        if (typeof f.topic === "string") return list.slice(0, 1).map(row);
        return [sys("* Type a line to talk to everyone. Commands:"), ...list.map(row), sys("* help COMMAND explains one.")];
      }
      case "system":
        if (typeof f.plugin === "string") return block(f.text).map((t) => ({ style: "notice", before: `[${f.plugin}] `, after: t }));
        return block(f.text).map(sys);
      case "error":
        return block(f.message ?? f.code).map((t) => ({ style: "error", after: `! ${t}` }));
      // The comforts (/away, /back, /whois, /ignore), as core/wire/render.ts shows them.
      case "away": {
        const text = f.text ? `: ${str(f.text)}` : "";
        if (f.self === true) return [sys(`* you are away${text} (/back when you return)`)];
        return [{ style: "system", before: "* ", nick: str(f.nick), after: ` is away${text}` }];
      }
      case "back":
        return [sys("* you are back")];
      case "whois": {
        const rows = [];
        if (typeof f.account === "string") rows.push(`registered, logged in as ${str(f.account)}`);
        if (typeof f.connectedAt === "string" && !Number.isNaN(Date.parse(f.connectedAt))) rows.push(`connected since ${new Date(f.connectedAt).toLocaleString()}${CLIENTS.get(f.client) ?? ""}`);
        if (typeof f.idle === "number") rows.push(`idle ${idle(f.idle)}`);
        if (typeof f.away === "string") rows.push(`away${f.away ? `: ${str(f.away)}` : ""}`);
        if (typeof f.node === "string") rows.push(`on node ${str(f.node)}${typeof f.idle === "number" ? "" : " (idle time and away text are known there only)"}`);
        if (typeof f.address === "string") rows.push(`address ${str(f.address)}`);
        return [{ style: "system", before: "* ", nick: str(f.nick), after: "" }, ...rows.map((r) => sys(`*   ${r}`))];
      }
      case "ignore": {
        const nicks = Array.isArray(f.nicks) ? f.nicks.map(str) : [];
        return [sys(nicks.length === 0 ? "* you ignore no one" : `* you ignore (${nicks.length}): ${nicks.join(", ")}`)];
      }
      case "join":
        if (f.self === true) {
          const list = Array.isArray(f.users) ? f.users.map(str) : [str(f.nick)];
          return [sys(`* you are in ${str(f.room)} now, with ${list.length} here: ${list.join(", ")}`), ...(f.topic ? [sys(`* topic of ${str(f.room)}: ${str(f.topic)}`)] : [])];
        }
        return [{ style: "system", before: "* ", nick: str(f.nick), after: ` joined ${str(f.room)} (${Number(f.members) || 0} here)` }];
      case "part":
        if (f.self === true) return [sys(f.back ? `* you left ${str(f.room)} and are back in ${str(f.back)}: your lines go there` : `* you left ${str(f.room)}`)];
        return [{ style: "system", before: "* ", nick: str(f.nick), after: ` left ${str(f.room)} (${str(f.reason)})` }];
      case "switch":
        return [sys(`* now talking in ${str(f.room)}: your lines go there`)];
      case "topic":
        if (f.set === true) return [{ style: "system", before: "* ", nick: str(f.by), after: f.topic ? ` set the topic of ${str(f.room)}: ${str(f.topic)}` : ` cleared the topic of ${str(f.room)}` }];
        return [sys(f.topic ? `* topic of ${str(f.room)}: ${str(f.topic)}` : `* ${str(f.room)} has no topic`)];
      case "rooms": {
        const list = Array.isArray(f.rooms) ? f.rooms.filter((r) => r && typeof r === "object") : [];
        const row = (r) => sys(`*   ${str(r.room)}  ${Number(r.members) || 0} here${r.keyed === true ? ", keyed" : ""}${str(r.room) === str(f.current) ? " (you talk here)" : ""}${r.topic ? `  ${str(r.topic)}` : ""}`);
        return [sys(`* ${list.length} rooms (/join #room to enter one):`), ...list.map(row)];
      }
      default:
        return typeof f.text === "string" ? block(f.text).map(sys) : [];
    }
  }

  // Frames that name their room in their own words get nothing in front (as core/wire/render.ts).
  const NAMES_ITS_ROOM = new Set(["join", "part", "rooms", "topic", "switch", "list"]);

  /** linesOf, with the room in front of a line from one of our rooms that is not the one we talk in. */
  function linesIn(f) {
    const lines = linesOf(f);
    if (typeof f.room !== "string" || here === "" || f.room === here || NAMES_ITS_ROOM.has(f.type)) return lines;
    return lines.map((l) => ({ ...l, before: `[${str(f.room)}] ${l.before ?? ""}` }));
  }

  function show(f) {
    const at = typeof f.time === "string" && !Number.isNaN(Date.parse(f.time)) ? new Date(f.time) : new Date();
    // The server says when a line mentions us (`mention`, compared as nicks are); a server without it is guessed at here.
    const mention = f.mention === true || (me !== "" && (f.type === "said" || f.type === "private") && str(f.from) !== me && mentions(str(f.text), me));
    const personal = f.type === "private" && str(f.from) !== me;
    for (const line of linesIn(f)) {
      const li = document.createElement("li");
      li.className = line.style;
      if (mention || personal) li.classList.add("mention");
      const time = document.createElement("time");
      time.dateTime = at.toISOString();
      time.textContent = clock(at);
      li.append(time, " ");
      if (line.before) li.append(line.before);
      if (line.nick) {
        const nick = document.createElement("span");
        nick.className = "nick";
        nick.textContent = line.nick;
        li.append(nick);
      }
      li.append(line.after);
      append(li);
    }
    if ((f.type === "said" || f.type === "private") && f.history !== true && str(f.from) !== me && document.hidden) {
      unread++;
      document.title = `(${unread}${mention || personal ? "!" : ""}) ${TITLE}`;
    }
  }

  function append(li) {
    const log = els.log;
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.append(li);
    while (log.childElementCount > MAX_LINES) log.firstElementChild.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  function mentions(text, nick) {
    const lower = text.toLowerCase();
    const n = nick.toLowerCase();
    let at = lower.indexOf(n);
    while (at !== -1) {
      const before = at === 0 ? "" : lower[at - 1];
      const after = lower[at + n.length] ?? "";
      if (!/[\p{L}\p{N}_-]/u.test(before) && !/[\p{L}\p{N}_-]/u.test(after)) return true;
      at = lower.indexOf(n, at + 1);
    }
    return false;
  }

  const pad = (n) => String(n).padStart(2, "0");
  const clock = (d) => `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const str = (v) => (typeof v === "string" ? v : v === undefined || v === null ? "" : String(v));
  function idle(s) {
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m`;
    return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  }

  function remember(nick) {
    try {
      localStorage.setItem(NICK_KEY, nick);
    } catch {
      // storage off: the nick is kept for this page only
    }
  }

  // -- what the user does ------------------------------------------------------

  els.join.addEventListener("submit", (event) => {
    event.preventDefault();
    const nick = els.nick.value.trim();
    if (!nick) return els.nick.focus();
    wanted = nick;
    els.joinError.textContent = "";
    if (!ws) return connect();
    if (joining) return;
    if (needsPassword) {
      password = els.password.value;
      if (!password) {
        els.joinError.textContent = "This server needs its password.";
        return els.password.focus();
      }
      return sendPassword();
    }
    sendNick();
  });

  els.say.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = els.input.value;
    if (text.trim() === "") return;
    if (!send({ type: "line", text, id: nextId++ })) {
      show({ type: "error", message: "not connected; what you typed is still in the box" });
      return;
    }
    if (/^(quit|\/quit)(\s|$)/i.test(text.trim())) quitting = true;
    sent.push(text);
    if (sent.length > 100) sent.shift();
    recall = -1;
    els.input.value = "";
  });

  els.input.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowUp" && event.key !== "ArrowDown") return;
    if (sent.length === 0) return;
    event.preventDefault();
    if (event.key === "ArrowUp") recall = recall === -1 ? sent.length - 1 : Math.max(0, recall - 1);
    else recall = recall === -1 ? -1 : recall + 1;
    if (recall >= sent.length) recall = -1;
    els.input.value = recall === -1 ? "" : sent[recall];
  });

  const seen = () => {
    if (document.hidden) return;
    unread = 0;
    document.title = TITLE;
  };
  document.addEventListener("visibilitychange", seen);
  window.addEventListener("focus", seen);

  try {
    els.nick.value = localStorage.getItem(NICK_KEY) ?? "";
  } catch {
    // no storage
  }
  connect();
  showJoin();
})();
