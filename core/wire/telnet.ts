// Telnet filter: strips RFC 854 commands out of a byte stream and answers
// option negotiation with RFC 1143's Q method, so negotiations never loop.
// Pure: bytes in, data bytes out, replies handed to a callback. No I/O here.
//
// parley runs every client in NVT line mode: the client echoes and edits
// locally and sends whole lines. So by default we refuse every option a
// client offers (WILL -> DONT) or asks of us (DO -> WONT), except those a
// policy accepts (BINARY, RFC 856: an 8-bit clean path both ways). A caller
// may ask for an option on either side (DO and WILL BINARY at connect, WILL
// ECHO while a password is typed) through `requestLocal`/`requestRemote`.

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const GA = 249;
export const EL = 248; // erase line
export const EC = 247; // erase character
export const AYT = 246; // are you there
export const SE = 240;

export const OPT_BINARY = 0;
export const OPT_ECHO = 1;
export const OPT_SGA = 3;

// Bytes the filter puts into the data stream for telnet's editing commands,
// so the line splitter treats them like the keys a raw client would send.
export const ERASE_CHAR = 0x08;
export const ERASE_LINE = 0x15;

// Q-method option states (RFC 1143 section 7).
const NO = 0;
const YES = 1;
const WANTNO = 2;
const WANTYES = 3;
const QUEUE_OPPOSITE = 4; // bit or-ed into WANTNO/WANTYES

const State = { DATA: 0, IAC: 1, OPTION: 2, SB: 3, SB_IAC: 4 } as const;

/** What a connection agrees to, per side. Everything else is refused. */
export interface TelnetPolicy {
  /** options we will enable on our side when the client sends DO */
  local?: ReadonlySet<number>;
  /** options we let the client enable when it sends WILL */
  remote?: ReadonlySet<number>;
}

/** Who sends the filter's negotiation replies (the session: no closure per connection). */
export interface TelnetReplies {
  telnetReply(bytes: Uint8Array): void;
}

const NONE: ReadonlySet<number> = new Set();
// Option states are kept for options below this number: every option we
// accept or ask for (BINARY, ECHO) is. An option above it is one we refuse,
// which needs no state (RFC 1143: refusing from NO stays NO).
const TRACKED = 64;
// The states of the options below LOW (BINARY, ECHO and SGA among them)
// live in two small integers, 4 bits per option, one per side: an object
// per connection less. Only a client negotiating options LOW..63 costs the
// array of the others.
const LOW = 7;
const AYT_REPLY = Buffer.from("\r\n[parley: yes]\r\n");
// What feed() returns when it removed commands (see feed): a client streaming
// negotiation would otherwise cost a new array as big as each chunk it sends.
let shared = new Uint8Array(64 * 1024);
// One 3-byte array for every negotiation reply of every filter: a client
// streaming WILL/DO would otherwise cost an array object per reply (the
// reply callback copies what it keeps).
const SCRATCH = new Uint8Array(3);
const US = 0;
const HIM = TRACKED;

export class TelnetFilter {
  /** true once the peer has sent any IAC sequence: it is a telnet client */
  seenTelnet = false;
  private state: number = State.DATA;
  private verb = 0;
  // Option states: those below LOW packed in `ours` and `theirs`; the rest,
  // ours then the client's (TRACKED each), in one array allocated on the
  // first negotiation of one: memory per idle connection counts.
  private ours = 0;
  private theirs = 0;
  private states: Uint8Array | null = null;
  private readonly local: ReadonlySet<number>;
  private readonly remote: ReadonlySet<number>;

  private readonly replies: TelnetReplies | ((bytes: Uint8Array) => void);

  /**
   * `reply` gets bytes that are valid only during the call: it copies what
   * it keeps (the Outbox does). An object with `telnetReply` instead of a
   * function saves a closure per connection.
   */
  constructor(reply: TelnetReplies | ((bytes: Uint8Array) => void), policy: TelnetPolicy = {}) {
    this.replies = reply;
    this.local = policy.local ?? NONE;
    this.remote = policy.remote ?? NONE;
  }

  /**
   * Feeds raw bytes; returns the data bytes with all telnet commands removed.
   * When there were commands, the result lives in a buffer shared by every
   * filter: it is valid until the next feed(), so the caller uses it (or
   * copies it) at once, as the line splitter does.
   */
  feed(chunk: Uint8Array): Uint8Array {
    // Fast path: no command bytes and not inside one.
    if (this.state === State.DATA && chunk.indexOf(IAC) === -1) return chunk;
    if (shared.length < chunk.length) shared = new Uint8Array(Math.max(chunk.length, shared.length * 2));
    const out = shared;
    let n = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case State.DATA:
          if (b === IAC) this.state = State.IAC;
          else out[n++] = b;
          break;
        case State.IAC:
          this.seenTelnet = true;
          this.state = State.DATA;
          if (b === IAC) out[n++] = IAC; // IAC IAC is a literal 0xFF
          else if (b >= WILL) {
            this.verb = b;
            this.state = State.OPTION;
          } else if (b === SB) this.state = State.SB;
          else if (b === EC) out[n++] = ERASE_CHAR;
          else if (b === EL) out[n++] = ERASE_LINE;
          else if (b === AYT) this.reply(AYT_REPLY);
          // NOP, DM, BRK, IP, AO, GA, stray SE: nothing to do in line mode.
          break;
        case State.OPTION:
          this.state = State.DATA;
          this.negotiate(this.verb, b);
          break;
        case State.SB:
          // We accept no option that has subnegotiation, so its payload is
          // skipped without being kept: no memory grows however long it is.
          if (b === IAC) this.state = State.SB_IAC;
          break;
        case State.SB_IAC:
          // Only IAC SE ends it. IAC IAC is a literal inside it, and any
          // other IAC x is a broken client: stay in the subnegotiation, so
          // its bytes never leak into a nickname or a message.
          this.state = b === SE ? State.DATA : State.SB;
          break;
      }
    }
    return out.subarray(0, n);
  }

  /** True when the option is enabled on our side (we said WILL, they said DO). */
  isLocal(option: number): boolean {
    return option < TRACKED && this.get(US, option) === YES;
  }

  /** True when the option is enabled on the client's side. */
  isRemote(option: number): boolean {
    return option < TRACKED && this.get(HIM, option) === YES;
  }

  /** Asks to enable or disable an option on our side (WILL/WONT), RFC 1143 style. */
  requestLocal(option: number, enable: boolean): void {
    this.request(US, option, enable, WILL, WONT);
  }

  /** Asks the client to enable or disable an option on its side (DO/DONT). */
  requestRemote(option: number, enable: boolean): void {
    this.request(HIM, option, enable, DO, DONT);
  }

  /**
   * Records that the option was asked for (WILL on our side, DO on the
   * client's) by bytes the caller sent itself: the connect-time options go
   * out as one shared buffer for every connection.
   */
  markAsked(side: "local" | "remote", option: number): void {
    const base = side === "local" ? US : HIM;
    if (this.get(base, option) === NO) this.set(base, option, WANTYES);
  }

  /** The Q-method state of `option` (below TRACKED) on one side. */
  private get(base: number, option: number): number {
    if (option < LOW) return ((base === US ? this.ours : this.theirs) >> (option * 4)) & 15;
    return this.states?.[base + option] ?? NO;
  }

  private set(base: number, option: number, state: number): void {
    if (option < LOW) {
      const shift = option * 4;
      if (base === US) this.ours = (this.ours & ~(15 << shift)) | (state << shift);
      else this.theirs = (this.theirs & ~(15 << shift)) | (state << shift);
    } else (this.states ??= new Uint8Array(2 * TRACKED))[base + option] = state;
  }

  private reply(bytes: Uint8Array): void {
    const to = this.replies;
    if (typeof to === "function") to(bytes);
    else to.telnetReply(bytes);
  }

  private send(verb: number, option: number): void {
    const bytes = SCRATCH;
    bytes[0] = IAC;
    bytes[1] = verb;
    bytes[2] = option;
    this.reply(bytes);
  }

  private negotiate(verb: number, option: number): void {
    if (verb === WILL) this.receiveYes(HIM, option, this.remote.has(option), DO, DONT);
    else if (verb === WONT) this.receiveNo(HIM, option, DO, DONT);
    else if (verb === DO) this.receiveYes(US, option, this.local.has(option), WILL, WONT);
    else this.receiveNo(US, option, WILL, WONT);
  }

  // The peer says it will / wants us to enable `option`.
  private receiveYes(base: number, option: number, accept: boolean, yes: number, no: number): void {
    if (option >= TRACKED) return this.send(no, option);
    const s = this.get(base, option);
    if (s === NO) {
      if (accept) {
        this.set(base, option, YES);
        this.send(yes, option);
      } else this.send(no, option);
    } else if (s === WANTNO) this.set(base, option, NO); // they answered our "no" with "yes": an error, settle on NO
    else if (s === (WANTNO | QUEUE_OPPOSITE)) this.set(base, option, YES);
    else if (s === WANTYES) this.set(base, option, YES);
    else if (s === (WANTYES | QUEUE_OPPOSITE)) {
      this.set(base, option, WANTNO);
      this.send(no, option);
    }
    // YES: already enabled, no reply (that is what stops loops)
  }

  // The peer says it won't / wants us to disable `option`.
  private receiveNo(base: number, option: number, yes: number, no: number): void {
    if (option >= TRACKED) return; // never enabled, so already disabled: no reply
    const s = this.get(base, option);
    if (s === YES) {
      this.set(base, option, NO);
      this.send(no, option);
    } else if (s === WANTNO || s === WANTYES || s === (WANTYES | QUEUE_OPPOSITE)) this.set(base, option, NO);
    else if (s === (WANTNO | QUEUE_OPPOSITE)) {
      this.set(base, option, WANTYES);
      this.send(yes, option);
    }
    // NO: already disabled, no reply
  }

  private request(base: number, option: number, enable: boolean, yes: number, no: number): void {
    if (option >= TRACKED) throw new RangeError(`telnet option ${option} is not one parley negotiates`);
    const s = this.get(base, option);
    if (enable) {
      if (s === NO) {
        this.set(base, option, WANTYES);
        this.send(yes, option);
      } else if (s === WANTNO) this.set(base, option, WANTNO | QUEUE_OPPOSITE);
      else if (s === (WANTYES | QUEUE_OPPOSITE)) this.set(base, option, WANTYES);
    } else {
      if (s === YES) {
        this.set(base, option, WANTNO);
        this.send(no, option);
      } else if (s === WANTYES) this.set(base, option, WANTYES | QUEUE_OPPOSITE);
      else if (s === (WANTNO | QUEUE_OPPOSITE)) this.set(base, option, WANTNO);
    }
  }
}

/** Doubles every 0xFF so a telnet client reads it as data. Returns the input when there is none (always, for UTF-8 text). */
export function escapeIAC(bytes: Uint8Array): Uint8Array {
  let count = 0;
  for (let i = bytes.indexOf(IAC); i !== -1; i = bytes.indexOf(IAC, i + 1)) count++;
  if (count === 0) return bytes;
  const out = new Uint8Array(bytes.length + count);
  let n = 0;
  for (const b of bytes) {
    out[n++] = b;
    if (b === IAC) out[n++] = IAC;
  }
  return out;
}

/**
 * How many leading bytes of what a server sent first are the telnet options
 * parley asks for at connect and the CR after them; 0 when it does not start
 * so. For raw clients that want the conversation without them (tests, fuzz).
 */
export function optionsAtConnect(bytes: Uint8Array): number {
  let at = 0;
  while (bytes[at] === IAC && at + 2 < bytes.length && bytes[at + 1]! >= WILL) at += 3;
  return at > 0 && bytes[at] === 0x0d && bytes[at + 1] !== 0x0a ? at + 1 : 0;
}
